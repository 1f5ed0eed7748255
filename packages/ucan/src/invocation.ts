import { randomUUID } from 'node:crypto';
import { capabilitiesCover, capabilityList, type Capabilities, type Capability } from './capabilities.js';
import type { KeyPair } from './did-key.js';
import { issueUcan, type IssuedUcan } from './issue.js';
import { parseUcan, type ParseResult } from './parse.js';

/**
 * The longest an invocation may live: it is used at once, and its receiver remembers it (to
 * refuse a replay) until it expires, so its lifetime bounds that memory.
 */
export const INVOCATION_MAX_LIFETIME_SECONDS = 60;
/**
 * A random UUID's 122 bits: two invocations of one caller in the same second still differ (spec
 * 6.2.2). Node serves UUIDs from a cached pool of entropy; a randomBytes call per invocation cost
 * more than the rest of issuing it but the signature.
 */
const nonce = (): string => randomUUID().replaceAll('-', '');

export interface InvocationOptions {
  /** The caller; its DID becomes `iss`. */
  issuer: KeyPair;
  /** The DID of the one receiver that will act on it (spec 6.2.1): an instance, not a service. */
  audience: string;
  /** What the receiver is asked to do; the credential must grant it. */
  capability: Capability;
  /** The caller's credential: a token addressed to the caller that grants `capability`. */
  credential: string;
  /** The tokens the credential itself rests on, carried as they are. @default none (the root issued it) */
  proofs?: readonly string[];
  /** Seconds the invocation is valid, 1 to 60. @default 60 */
  lifetimeSeconds?: number;
  /** Unix seconds. @default the current time */
  now?: number;
}

/** A signed invocation and the tokens its receiver needs to verify it (the credential first). */
export interface Invocation {
  readonly token: string;
  /** Computed when first read. */
  readonly cid: string;
  readonly proofs: string[];
}

export type InvocationErrorCode = 'INVOCATION_CREDENTIAL' | 'INVOCATION_CREDENTIAL_TIME' | 'INVOCATION_NOT_HELD';

export type IssueInvocationResult = { ok: true; invocation: Invocation } | { ok: false; error: { code: InvocationErrorCode; message: string } };

/**
 * Issues a one-time invocation (UCAN 0.10, 6.2: addressed to its receiver, unique by its nonce):
 * `capability` alone, attenuated from `credential` (cited in `prf`), valid from now (or from
 * the credential's `nbf`, if later) for `lifetimeSeconds`, never past the credential's `exp`.
 * Refuses, as a value, a credential that does not parse, is not addressed to the issuer, is not
 * valid now, or does not grant the capability (the receiver would refuse the call). Throws a
 * TypeError for options no caller could mean (a lifetime outside 1-60 s, an invalid audience).
 */
export function issueInvocation(options: InvocationOptions): IssueInvocationResult {
  const lifetime = options.lifetimeSeconds ?? INVOCATION_MAX_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1 || lifetime > INVOCATION_MAX_LIFETIME_SECONDS)
    throw new TypeError(`issueInvocation: lifetimeSeconds must be a whole number from 1 to ${INVOCATION_MAX_LIFETIME_SECONDS}, got ${String(lifetime)}`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const parsedCredential = parseCredential(options.credential);
  const parsed = parsedCredential.parsed;
  if (!parsed.ok) return failure('INVOCATION_CREDENTIAL', `the credential is not a UCAN: ${parsed.errors.map((error) => error.message).join('; ')}`);
  const { cid, payload } = parsed.ucan;
  if (payload.aud !== options.issuer.did)
    return failure('INVOCATION_CREDENTIAL', `the credential ${cid} is addressed to ${payload.aud}, not to the issuer ${options.issuer.did}`);
  const notBefore = Math.max(now, payload.nbf ?? 0);
  const expiration = payload.exp === null ? now + lifetime : Math.min(now + lifetime, payload.exp);
  if (expiration < notBefore)
    return failure('INVOCATION_CREDENTIAL_TIME', `the credential ${cid} is not valid now (${now}): nbf ${payload.nbf ?? 'none'}, exp ${payload.exp}`);
  const wanted = { resource: options.capability.resource, ability: options.capability.ability, caveat: options.capability.caveat ?? {} };
  if (!capabilitiesCover(parsedCredential.capabilities, wanted))
    return failure('INVOCATION_NOT_HELD', `the credential ${cid} does not grant ${wanted.ability} on ${wanted.resource}`);
  const capabilities: Capabilities = { [wanted.resource]: { [wanted.ability]: [wanted.caveat] } };
  const issued = issueUcan({
    issuer: options.issuer,
    audience: options.audience,
    capabilities,
    notBefore,
    expiration,
    nonce: nonce(),
    proofs: [cid],
  });
  return { ok: true, invocation: new IssuedInvocation(issued, [options.credential, ...(options.proofs ?? [])]) };
}

/** A class with a lazy `cid`: an object literal with a getter cost V8 microseconds to create. */
class IssuedInvocation implements Invocation {
  readonly token: string;
  readonly #issued: IssuedUcan;

  constructor(
    issued: IssuedUcan,
    readonly proofs: string[],
  ) {
    this.token = issued.token;
    this.#issued = issued;
  }

  get cid(): string {
    return this.#issued.cid;
  }
}

interface ParsedCredential {
  readonly token: string;
  readonly parsed: ParseResult;
  /** Its capabilities as a list, one per caveat: what each invocation is checked against. */
  readonly capabilities: readonly Required<Capability>[];
}

/**
 * The credential parsed, remembered for the next invocation: a caller invokes with the same
 * credential until it is renewed, and parsing and hashing it each time cost as much as signing.
 */
let lastCredential: ParsedCredential | undefined;

function parseCredential(token: string): ParsedCredential {
  if (lastCredential?.token !== token) {
    const parsed = parseUcan(token);
    // Reading the CID hashes the token once; the parsed token keeps it.
    if (parsed.ok) void parsed.ucan.cid;
    lastCredential = { token, parsed, capabilities: parsed.ok ? capabilityList(parsed.ucan.payload.cap) : [] };
  }
  return lastCredential;
}

function failure(code: InvocationErrorCode, message: string): IssueInvocationResult {
  return { ok: false, error: { code, message } };
}
