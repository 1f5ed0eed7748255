import { MESH_CALL_ABILITY, meshResource, type Manifest, type RuntimeConfig, type ServiceIdentity, type UcanRequest } from '@hecate-om/contract';
import { deriveUcanRequest, JOIN_TOKEN_PATTERN, JOIN_TOKEN_SHAPE, MAX_TIMER_MS, RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import type { Capabilities, KeyPair } from '@hecate-om/ucan';
import { debug } from '../debug.js';
import type { Clock, HealthObservation } from '../health-monitor.js';
import type { RuntimeLogger } from '../logger.js';
import type { ReadinessPolicy, RuntimePart } from '../runtime-part.js';
import { checkCredential, type Credential } from './credential.js';
import { identityPaths, loadIdentityKey, readSecretText, writeFileAtomically, type IdentityPaths } from './identity-files.js';
import { claimCredential, type RealmFailure } from './realm-client.js';
import { RevocationList } from './revocation-list.js';
import { renewalDelayMs, retryDelayMs } from './renewal-schedule.js';
import type { MeshIdentity } from '../mesh/invocation-authorization.js';
import { createServiceIdentity } from './service-identity.js';

/**
 * What the instance asks the realm for: the build's `ucan-request.json`, plus `mesh/call` on every
 * mesh capability (`hecate://mesh/*`). Which ones it may call is the realm's policy (its `mesh`
 * list), and the realm grants only those; static credentials are checked against the same.
 */
export function withMeshCalls(request: UcanRequest): UcanRequest {
  return { ...request, cap: { ...request.cap, [meshResource('*')]: { [MESH_CALL_ABILITY]: [{}] } } };
}

/** Claim mode: a realm URL and its pinned DID. Static mode: the DID alone, the credential mounted. */
export type IdentityMode =
  | { readonly kind: 'claim'; readonly realmUrl: string; readonly realmDid: string }
  | { readonly kind: 'static'; readonly realmDid: string };

/** The identity mode the settings ask for, or undefined when no realm is configured. */
export function identityModeOf(config: RuntimeConfig): IdentityMode | undefined {
  if (config.realmDid === null) return undefined;
  return config.realmUrl === null ? { kind: 'static', realmDid: config.realmDid } : { kind: 'claim', realmUrl: config.realmUrl, realmDid: config.realmDid };
}

export interface IdentityPartOptions {
  readonly mode: IdentityMode;
  readonly config: RuntimeConfig;
  readonly manifest: Manifest;
  readonly log: RuntimeLogger;
  /** `now()` in milliseconds since the epoch: credentials are bounded in wall-clock time. */
  readonly clock: Clock;
  /** In [0, 1): spreads renewals and retries. */
  readonly random: () => number;
}

/** Where the claim stands; the credential in use, if any, is held beside it. */
type ClaimState =
  | { readonly name: 'waiting'; readonly problem?: string }
  | { readonly name: 'granted' }
  | { readonly name: 'revoked'; readonly cid: string }
  | { readonly name: 'failing'; readonly since: number; readonly problem: string }
  | { readonly name: 'refused'; readonly problem: string };

/**
 * The `identity` runtime part (issue 11): the instance's key, and the credential the pinned realm
 * granted it, claimed at start and renewed before it expires (claim mode), or mounted (static mode).
 * Its check is ok with a valid credential, degraded while renewal fails or the realm has not
 * answered yet, down once the credential has expired or the realm refused. A realm that cannot be
 * reached never stops the boot: the part keeps trying, and the service becomes ready once granted.
 */
export class IdentityPart implements RuntimePart {
  readonly name = 'identity';
  readonly readiness: ReadinessPolicy;
  readonly #options: IdentityPartOptions;
  readonly #paths: IdentityPaths;
  readonly #request: UcanRequest;
  readonly #asked: Capabilities;
  #key: KeyPair | undefined;
  #current: Credential | undefined;
  #state: ClaimState = { name: 'waiting' };
  /** Claim mode only: a static credential has no realm to ask. */
  readonly #revocations: RevocationList | undefined;
  #claiming = false;
  /** The join token mounted, read and checked at boot when there is no credential to resume. */
  #joinToken: string | undefined;
  /** Whether this DID is known to be enrolled: the join token is sent only until it is. */
  #enrolled = false;
  #attempt = 0;
  #cancelTimer: (() => void) | undefined;
  #stopped = false;

  constructor(options: IdentityPartOptions) {
    this.#options = options;
    this.#paths = identityPaths(options.config.secretsDir, options.config.stateDir);
    this.#request = withMeshCalls(deriveUcanRequest(options.manifest));
    this.#asked = this.#request.cap as Capabilities;
    this.readiness = options.config.identityRequired === 'false' ? 'optional' : 'required';
    const { mode, config, log, clock, random } = options;
    this.#revocations =
      mode.kind === 'claim'
        ? new RevocationList({
            realmUrl: mode.realmUrl,
            realmDid: mode.realmDid,
            file: this.#paths.stateRevocations,
            intervalMs: config.revocationRefreshMs,
            log,
            clock,
            random,
            onRefreshed: () => this.#claimIfRevoked(),
          })
        : undefined;
  }

  /** Loads the key and the credential; throws (a boot error) for what only an operator can fix. */
  async start(): Promise<void> {
    const { log, mode } = this.#options;
    const loaded = await loadIdentityKey(this.#paths);
    if (!loaded.ok) throw new Error(loaded.message);
    const { keyPair, file, created } = loaded.value;
    this.#key = keyPair;
    log.info(created ? 'created the identity key of this instance' : 'loaded the identity key of this instance', {
      did: keyPair.did,
      file,
      mode: mode.kind,
      realm: mode.realmDid,
    });
    if (mode.kind === 'static') return this.#startStatic(mode.realmDid);
    await this.#revocations?.load();
    await this.#resumePersisted();
    if (this.#current === undefined) {
      this.#joinToken = await this.#readJoinToken();
      await this.#claim();
    }
    this.#revocations?.start();
  }

  check(): HealthObservation {
    const current = this.#current;
    const state = this.#state;
    if (current === undefined || this.#usableCredential() === undefined) {
      if (current !== undefined)
        return { status: 'down', reason: `the credential ${current.cid} expired at ${isoTime(current.expiresAt)}${problemOf(state)}`, ready: false };
      if (state.name === 'refused') return { status: 'down', reason: `the realm refused this instance: ${state.problem}`, ready: false };
      if (state.name === 'revoked') return { status: 'down', reason: `the realm revoked the credential ${state.cid}: dropped, claiming a new one`, ready: false };
      return { status: 'degraded', reason: `no credential yet: the realm has not granted one${problemOf(state)}`, ready: false };
    }
    if (state.name === 'refused') return { status: 'down', reason: `the realm refused to renew the credential ${current.cid}: ${state.problem}` };
    if (state.name === 'failing')
      return {
        status: 'degraded',
        reason: `renewal failing since ${isoTime(state.since / 1000)}: ${state.problem}; the credential ${current.cid} stays in use until ${isoTime(current.expiresAt)}`,
      };
    return { status: 'ok' };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#revocations?.stop();
  }

  /** What `start(opts)` receives as `opts.identity`; read after this part has started. */
  serviceIdentity(): ServiceIdentity {
    const key = this.#key;
    if (key === undefined) throw new Error('the identity part has not started: its key is loaded in start()');
    return createServiceIdentity({
      key,
      realmDid: this.#options.mode.realmDid,
      credential: () => this.#usableCredential(),
      revoked: () => this.#revoked(),
      nowSeconds: () => Math.floor(this.#options.clock.now() / 1000),
    });
  }

  /** What mesh calls are authorized with; read after this part has started. */
  meshIdentity(): MeshIdentity {
    const key = this.#key;
    if (key === undefined) throw new Error('the identity part has not started: its key is loaded in start()');
    return { key, realmDid: this.#options.mode.realmDid, credential: () => this.#usableCredential()?.token, revoked: () => this.#revoked() };
  }

  #revoked(): ReadonlySet<string> {
    return this.#revocations?.revoked ?? NONE_REVOKED;
  }

  #usableCredential(): Credential | undefined {
    const current = this.#current;
    return current !== undefined && (current.expiresAt === null || this.#options.clock.now() < current.expiresAt * 1000) ? current : undefined;
  }

  async #startStatic(realmDid: string): Promise<void> {
    const file = this.#paths.secretCredential;
    const read = await readSecretText(file);
    if (!read.ok) throw new Error(read.message);
    if (read.text === undefined)
      throw new Error(
        `${RUNTIME_SETTINGS.realmDid.variable} is set without ${RUNTIME_SETTINGS.realmUrl.variable} (static mode), so the credential must be mounted at ${file}, and there is none`,
      );
    const checked = await this.#check(read.text, realmDid);
    if (!checked.ok) throw new Error(`${file}: ${checked.code}: ${checked.message}`);
    this.#adopt(checked.credential, 'the mounted credential is valid');
  }

  /** A credential granted before a restart is used again while it is valid. */
  async #resumePersisted(): Promise<void> {
    const file = this.#paths.stateCredential;
    const read = await readSecretText(file);
    if (!read.ok || read.text === undefined) {
      if (!read.ok) this.#options.log.warn(`${read.message}: claiming a new credential`, { file });
      return;
    }
    const { mode } = this.#options;
    await this.#revocations?.refresh();
    const checked = await this.#check(read.text, mode.realmDid);
    if (!checked.ok) {
      this.#options.log.warn(`the credential kept in ${file} is not used: ${checked.code}: ${checked.message}`, { file, code: checked.code });
      return;
    }
    this.#enrolled = true;
    this.#adopt(checked.credential, 'using the credential granted before this start');
    this.#schedule(this.#renewalDelay(checked.credential));
  }

  /** One attempt to get a credential from the realm; schedules the next one, whatever the outcome. */
  async #claim(): Promise<void> {
    const { mode, clock } = this.#options;
    const key = this.#key;
    // One claim at a time: a revocation noticed while one is in flight is judged by its answer.
    if (mode.kind !== 'claim' || key === undefined || this.#stopped || this.#claiming) return;
    this.#claiming = true;
    try {
      await this.#claimOnce(mode, key, clock);
    } finally {
      this.#claiming = false;
    }
  }

  async #claimOnce(mode: Extract<IdentityMode, { kind: 'claim' }>, key: KeyPair, clock: Clock): Promise<void> {
    const { log } = this.#options;
    await this.#revocations?.refresh();
    this.#dropIfRevoked();
    const joinToken = this.#enrolled ? undefined : this.#joinToken;
    const now = Math.floor(clock.now() / 1000);
    const claimed = await claimCredential({ realmUrl: mode.realmUrl, realmDid: mode.realmDid, keyPair: key, request: this.#request, joinToken, now });
    if (this.#stopped) return;
    if (!claimed.ok) return this.#failed(claimed);
    const checked = await this.#check(claimed.value.credential, mode.realmDid);
    if (!checked.ok) return this.#failed({ kind: 'refused', code: checked.code, message: `the credential the realm answered with is refused: ${checked.message}` });
    this.#enrolled = true;
    this.#attempt = 0;
    // Kept before it is announced: a stop right after the grant must not lose it.
    await writeFileAtomically(this.#paths.stateCredential, `${checked.credential.token}\n`).catch((error: unknown) =>
      log.error(`cannot keep the credential in ${this.#paths.stateCredential}: ${(error as Error).message}; a restart will claim again`, { file: this.#paths.stateCredential }),
    );
    this.#adopt(checked.credential, 'the realm granted a credential', { refused: claimed.value.refused });
    this.#schedule(this.#renewalDelay(checked.credential, true));
  }

  /** After each refresh of the revocation list: a credential in use that is on it is dropped, and a new one claimed now. */
  #claimIfRevoked(): void {
    if (!this.#dropIfRevoked()) return;
    this.#attempt = 0;
    this.#schedule(0);
  }

  #dropIfRevoked(): boolean {
    const current = this.#current;
    if (current === undefined || !this.#revoked().has(current.cid)) return false;
    this.#options.log.warn('the realm revoked the credential in use: claiming a new one', { cid: current.cid, code: 'CREDENTIAL_REVOKED' });
    this.#current = undefined;
    this.#state = { name: 'revoked', cid: current.cid };
    return true;
  }

  /** The mounted join token, if any; one that is not a join token stops the boot naming the file, before anything is sent. */
  async #readJoinToken(): Promise<string | undefined> {
    const file = this.#paths.joinToken;
    const read = await readSecretText(file);
    if (read.ok && read.text !== undefined && read.text !== '' && !JOIN_TOKEN_PATTERN.test(read.text))
      throw new Error(`${file}: is not a join token (${JOIN_TOKEN_SHAPE}, as hecate-om realm join-token prints it)`);
    if (read.ok) return read.text === '' ? undefined : read.text;
    this.#options.log.warn(`${read.message}: claiming without a join token`, { file: this.#paths.joinToken });
    return undefined;
  }

  #check(token: string, realmDid: string): ReturnType<typeof checkCredential> {
    const key = this.#key as KeyPair;
    const now = Math.floor(this.#options.clock.now() / 1000);
    return checkCredential(token, { realmDid, did: key.did, asked: this.#asked, now, revoked: this.#revoked() });
  }

  #adopt(credential: Credential, message: string, fields: Record<string, unknown> = {}): void {
    this.#current = credential;
    this.#state = { name: 'granted' };
    this.#options.log.info(message, {
      cid: credential.cid,
      expiresAt: credential.expiresAt === null ? null : isoTime(credential.expiresAt),
      capabilities: credential.capabilities,
      ...fields,
    });
  }

  #failed(failure: RealmFailure): void {
    const expiresAt = this.#usableCredential()?.expiresAt;
    const msUntilExpiry = expiresAt === undefined || expiresAt === null ? undefined : expiresAt * 1000 - this.#options.clock.now();
    const delayMs = retryDelayMs(this.#attempt, this.#options.random(), msUntilExpiry);
    this.#attempt += 1;
    const problem = `${failure.code}: ${failure.message}`;
    const previous = this.#state;
    this.#state =
      failure.kind === 'refused'
        ? { name: 'refused', problem }
        : this.#current === undefined
          ? { name: 'waiting', problem }
          : { name: 'failing', since: previous.name === 'failing' ? previous.since : this.#options.clock.now(), problem };
    const fields = { code: failure.code, retryInMs: delayMs, cid: this.#current?.cid };
    const message = `${this.#current === undefined ? 'claiming a credential' : 'renewing the credential'} failed: ${problem}; retrying in ${(delayMs / 1000).toFixed(1)} s`;
    if (failure.kind === 'refused') this.#options.log.error(message, fields);
    else this.#options.log.warn(message, fields);
    this.#schedule(delayMs);
  }

  #renewalDelay(credential: Credential, afterGrant = false): number | undefined {
    if (credential.expiresAt === null) return undefined;
    return renewalDelayMs(credential.notBefore, credential.expiresAt, this.#options.clock.now(), this.#options.random(), afterGrant);
  }

  /** Runs the next claim in `delayMs`, through timers no longer than setTimeout allows. */
  #schedule(delayMs: number | undefined): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (delayMs === undefined || this.#stopped) return;
    debug('identity: next claim in %d ms', delayMs);
    const { clock } = this.#options;
    const dueAt = clock.now() + delayMs;
    const wake = (): void => {
      const left = dueAt - clock.now();
      if (left > 0) this.#cancelTimer = clock.setTimer(wake, Math.min(left, MAX_TIMER_MS));
      else void this.#claim().catch((error: unknown) => this.#failed({ kind: 'unavailable', code: 'CLAIM_FAILED', message: String(error) }));
    };
    this.#cancelTimer = clock.setTimer(wake, Math.min(delayMs, MAX_TIMER_MS));
  }
}

const NONE_REVOKED: ReadonlySet<string> = /* @__PURE__ */ new Set();

function problemOf(state: ClaimState): string {
  return state.name === 'waiting' || state.name === 'failing' || state.name === 'refused' ? (state.problem === undefined ? '' : `; ${state.problem}`) : '';
}

function isoTime(unixSeconds: number | null): string {
  return unixSeconds === null ? 'never' : new Date(unixSeconds * 1000).toISOString();
}
