import type { Health } from './health.js';
import type { Mesh } from './mesh.js';
import type { Capability, IdentitySpec, Info, Manifest } from './schemas.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** `HECATE_IDENTITY_REQUIRED`: `auto` is `true` whenever a realm is configured. */
export type IdentityRequired = 'auto' | 'true' | 'false';
/** `on`: every mesh call carries an invocation token the provider verifies; `off`: none (local experiments only). */
export type MeshAuthorization = 'on' | 'off';

/** Structured logger: one JSON line per event, carrying the service name and version. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The runtime's settings, resolved from the environment at boot. */
export interface RuntimeConfig {
  readonly healthHost: string;
  /** The port the health endpoint is bound to: the one picked at boot when HECATE_HEALTH_PORT is 0. */
  readonly healthPort: number;
  readonly secretsDir: string;
  readonly stateDir: string;
  readonly logLevel: LogLevel;
  /** How long `health()` may take before the endpoint reports `down`. */
  readonly healthTimeoutMs: number;
  /** The deadline for the whole shutdown: withdrawals, drain and `stop()`. */
  readonly shutdownTimeoutMs: number;
  /** The realm to claim a credential from (`HECATE_REALM_URL`, no trailing slash), or null. */
  readonly realmUrl: string | null;
  /** The realm's pinned DID (`HECATE_REALM_DID`), or null when no realm is configured. */
  readonly realmDid: string | null;
  /** Whether readiness waits for a valid credential (`HECATE_IDENTITY_REQUIRED`). */
  readonly identityRequired: IdentityRequired;
  /** Claim mode: milliseconds between fetches of the realm's revocation list (`HECATE_REVOCATION_REFRESH_MS`), ±25 % jitter. */
  readonly revocationRefreshMs: number;
  /** The NATS servers of the mesh (`nats://host:port`); empty: standalone, no mesh. */
  readonly meshUrls: readonly string[];
  /** Whether mesh calls are authorized (`HECATE_MESH_AUTHORIZATION`); `off` is refused with a realm. */
  readonly meshAuthorization: MeshAuthorization;
}

/** A UCAN 0.10 `cap` map: resource URI → ability → caveats (`[{}]` for none). */
export type CapabilityMap = Readonly<Record<string, Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>>>;

/** One capability a caller must hold: `{ resource: 'hecate://echo/inbox', ability: 'echo/read' }`. */
export interface RequiredCapability {
  readonly resource: string;
  readonly ability: string;
  /** @default {} (the capability without conditions) */
  readonly caveat?: Readonly<Record<string, unknown>>;
}

/** A failure of `delegate()` or `verify()`; `code` is stable (runtime README, "Identity"). */
export interface IdentityError {
  readonly code: string;
  readonly message: string;
}

export type DelegateResult =
  | { readonly ok: true; readonly token: string; readonly cid: string; readonly proofs: readonly string[] }
  | { readonly ok: false; readonly error: IdentityError };

export type VerifyCallerResult =
  | { readonly ok: true; readonly issuer: string; readonly cid: string }
  | { readonly ok: false; readonly error: IdentityError };

/** The service's own identity: its key's DID and the credential the realm granted it. */
export interface ServiceIdentity {
  /** This instance's `did:key`. */
  readonly did: string;
  /** The credential in use (a UCAN 0.10 JWT), or undefined until the realm has granted one. */
  readonly credential: string | undefined;
  /**
   * Issues a token to `audience` for `capabilities` (which the credential must cover), valid for
   * `lifetimeSeconds` but never past the credential. `proofs` is the chain to send with `token`.
   */
  delegate(audience: string, capabilities: CapabilityMap, lifetimeSeconds: number): Promise<DelegateResult>;
  /**
   * Checks that a caller's `token`, addressed to this service, proves `capability` through `proofs`
   * (the chain's tokens, JWTs) to the realm this service pins, none of them revoked.
   */
  verify(token: string, capability: RequiredCapability, proofs?: readonly string[]): Promise<VerifyCallerResult>;
}

/** What hecate-om hands to `start()`. */
export interface StartOptions {
  readonly config: RuntimeConfig;
  readonly log: Logger;
  /** The manifest derived at build time and embedded in the release. */
  readonly manifest: Manifest;
  /** Aborted when shutdown begins: pass it to long-running work so it can wind down. */
  readonly signal: AbortSignal;
  /** The service's identity; absent when no realm is configured (HECATE_REALM_URL, HECATE_REALM_DID). */
  readonly identity?: ServiceIdentity;
  /** Serve the declared capabilities, look up and call others' (standalone: calls find no provider). */
  readonly mesh: Mesh;
}

/**
 * The one class a service author writes. hecate-om reads `info()`, `capabilities()` and
 * `identitySpec()` at build time to derive the manifest, and calls `start`, `health` and `stop` at
 * run time. `State` is whatever `start` returns and `stop` receives.
 */
export abstract class HecateService<State = void> {
  abstract start(opts: StartOptions): State | Promise<State>;
  abstract stop(state: State): void | Promise<void>;
  abstract health(): Health | Promise<Health>;
  abstract capabilities(): readonly Capability[];
  abstract identitySpec(): IdentitySpec;
  abstract info(): Info;
}

/** A concrete service class as `boot()` receives it. */
export type HecateServiceClass<State = unknown> = new () => HecateService<State>;
