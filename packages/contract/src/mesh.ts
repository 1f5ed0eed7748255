/**
 * The mesh as a service author sees it through `start(opts).mesh`: serve the capabilities the
 * service declares, and find and call the ones other services advertise. The runtime's README
 * documents the subjects, the advertisement and the limits.
 */

/** Calling mesh capability `<name>` is granted as this ability on `meshResource(<name>)` (the realm README). */
export const MESH_CALL_ABILITY = 'mesh/call';
export const MESH_RESOURCE_PREFIX = 'hecate://mesh/';

/** `billing.charge` → `hecate://mesh/billing.charge`: the resource a mesh call is granted on. */
export function meshResource(capabilityName: string): string {
  return `${MESH_RESOURCE_PREFIX}${capabilityName}`;
}

/**
 * The closed set of reasons a call fails; callers switch on `code`, never on the message.
 * `disconnected`: this instance's own NATS connection is down (or not made yet), so no provider was
 * tried; `invalid_payload`: the caller's payload is not JSON, refused before anything was sent.
 */
export type MeshErrorCode = 'no_providers' | 'timeout' | 'unauthorized' | 'handler_error' | 'payload_too_large' | 'disconnected' | 'invalid_payload';

export interface MeshError {
  readonly code: MeshErrorCode;
  readonly message: string;
  /**
   * For `unauthorized`: why. The provider's refusals are `@hecate-om/ucan`'s INVOCATION_REFUSALS
   * reasons (`expired`, `replayed`, `misaddressed`, `revoked`, `escalated`, ...) or `missing` (no
   * token); the caller's own are `no_identity`, `no_credential` and `not_granted` (the runtime
   * README's table).
   */
  readonly reason?: string;
  /** The provider the failing attempt went to, as a success names it; absent when none was tried. */
  readonly provider?: MeshProvider;
}

/** One instance advertising one version of a capability, as the local view knows it. */
export interface MeshProvider {
  /** The service's name and version, from its manifest. */
  readonly service: string;
  readonly serviceVersion: string;
  /** The instance's micro service id: unique per running process. */
  readonly instance: string;
  /** The instance's DID; empty while the runtime has no identity. */
  readonly did: string;
  /** The DID of the realm the instance is enrolled in (its pinned realm); empty without one. */
  readonly realm: string;
  readonly capability: string;
  readonly version: number;
  /** The subject that reaches this instance alone. */
  readonly subject: string;
  /**
   * `suspect` after a call to it timed out, until it answers a discovery sweep again: callers try
   * it after every other provider.
   */
  readonly health: MeshProviderHealth;
}

export type MeshProviderHealth = 'ok' | 'suspect';

/** One change of the providers of a capability, as `watch()` yields it. */
export interface MeshProviderChange {
  /** `changed`: the same provider with another `health`. */
  readonly type: 'added' | 'removed' | 'changed';
  readonly provider: MeshProvider;
}

export type MeshCallResult =
  | { readonly ok: true; readonly value: unknown; readonly provider: MeshProvider }
  | { readonly ok: false; readonly error: MeshError };

export interface MeshCallOptions {
  /** Milliseconds each attempt waits for an answer. @default 5000 */
  readonly timeout?: number;
  /** The lowest capability version that will do. @default 1 */
  readonly minVersion?: number;
  /** Safe to run twice: a timed-out attempt is retried on another provider. @default false */
  readonly idempotent?: boolean;
}

/** What a handler learns about the call besides its payload. */
export interface MeshCallContext {
  readonly capability: string;
  readonly version: number;
}

/** Answers a call: its return value (JSON) is the answer; a throw is a `handler_error` for the caller. */
export type MeshHandler = (payload: unknown, context: MeshCallContext) => unknown;

export interface Mesh {
  /**
   * Serves every declared version of `capability` with `handler`. Throws for a capability the
   * service does not declare, or one already served; every declared capability must be served by
   * the time `start()` returns, or the boot fails.
   */
  serve(capability: string, handler: MeshHandler): void;
  /**
   * Calls a provider of `capability` (addressed to one instance, failing over), never hangs. Made
   * before this instance has connected and swept the mesh once (from `start()`), it first waits
   * for that, or for a provider of `capability` to appear, within its `timeout`.
   */
  call(capability: string, payload: unknown, options?: MeshCallOptions): Promise<MeshCallResult>;
  /** The providers of `capability` the local view knows now, from memory: empty before `discovered()`. */
  lookup(capability: string): readonly MeshProvider[];
  /**
   * Resolves `true` once this instance has connected and swept the mesh once, so `lookup()` shows
   * what the mesh advertises; `false` when `timeout` ms (default 5000) pass first. What `start()`
   * awaits before a `lookup()`.
   */
  discovered(options?: { readonly timeout?: number }): Promise<boolean>;
  /**
   * The changes to the providers of `capability` as they happen, starting with those known now
   * (as `added`). It ends when the loop breaks out of it, or when `signal` aborts.
   */
  watch(capability: string, options?: { readonly signal?: AbortSignal }): AsyncIterable<MeshProviderChange>;
}
