import { canonicalCidProblem } from './cid.js';
import type { Capabilities, Json } from './capabilities.js';

/** The UCAN version this package issues, and the minor line it reads (spec 3.2.1, 6.7). */
export const UCAN_VERSION = '0.10.0';
const SUPPORTED_VERSION = /^0\.10\.(0|[1-9]\d*)$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
/** `did:<method>:<method-specific id>` (W3C DID core), one principal, no whitespace. */
const DID = /^did:[a-z0-9]+:[^\s]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;
const NAMESPACED_ABILITY = /^[^/\s]+(\/[^/\s]+)+$/;

/** The payload of a UCAN 0.10 JWT (spec 3.2). */
export interface UcanPayload {
  ucv: string;
  iss: string;
  aud: string;
  /** Unix seconds; absent means valid from the epoch. */
  nbf?: number;
  /** Unix seconds, or null for a token that never expires. */
  exp: number | null;
  nnc?: string;
  fct?: Record<string, Json>;
  cap: Capabilities;
  /** CIDs (base32 CIDv1, raw, sha2-256) of the proofs. */
  prf?: string[];
}

/** Bounds that keep checking a token linear in its size, and recursion off the stack's limit. */
export const MAX_CAPABILITIES = 1000;
export const MAX_JSON_DEPTH = 32;

export interface PayloadProblem {
  code: 'UCAN_PAYLOAD' | 'UCAN_VERSION' | 'UCAN_TOO_LARGE';
  detail: string;
}

/**
 * Every problem of a decoded payload's fields and types (spec 3.2), each naming its JSON path.
 * Empty when `payload` is a well-formed UcanPayload. Fields the spec does not name are allowed.
 */
export function payloadProblems(payload: Record<string, unknown>): PayloadProblem[] {
  const problems: PayloadProblem[] = [];
  const bad = (detail: string): void => void problems.push({ code: 'UCAN_PAYLOAD', detail });
  if (jsonDeeperThan(payload, MAX_JSON_DEPTH)) {
    problems.push({ code: 'UCAN_TOO_LARGE', detail: `the payload nests deeper than ${MAX_JSON_DEPTH} levels` });
    return problems;
  }
  const { ucv, iss, aud, nbf, exp, nnc, fct, cap, prf } = payload;
  if (ucv === UCAN_VERSION) {
    // What this package issues: the common case, which needs no pattern.
  } else if (typeof ucv !== 'string') bad(`ucv must be a string, got ${kind(ucv)}`);
  else if (!SEMVER.test(ucv)) bad(`ucv must be a semantic version such as ${UCAN_VERSION}, got ${quote(ucv)}`);
  else if (!SUPPORTED_VERSION.test(ucv))
    problems.push({ code: 'UCAN_VERSION', detail: `ucv ${quote(ucv)} is not a UCAN 0.10 version (0.10.x)` });
  for (const [name, value] of [['iss', iss], ['aud', aud]] as const) {
    if (typeof value !== 'string') bad(`${name} must be a DID string, got ${kind(value)}`);
    else if (!DID.test(value)) bad(`${name} must be a single DID (did:<method>:<id>), got ${quote(value)}`);
  }
  if (nbf !== undefined && !Number.isSafeInteger(nbf)) bad(`nbf must be an integer of Unix seconds, got ${kind(nbf)}`);
  if (exp === undefined) bad('exp is required (an integer of Unix seconds, or null for no expiry)');
  else if (exp !== null && !Number.isSafeInteger(exp)) bad(`exp must be an integer of Unix seconds or null, got ${kind(exp)}`);
  if (nnc !== undefined && typeof nnc !== 'string') bad(`nnc must be a string, got ${kind(nnc)}`);
  if (fct !== undefined && !isPlainObject(fct)) bad(`fct must be an object, got ${kind(fct)}`);
  if (cap === undefined) bad('cap is required (it may be {})');
  else capProblems(cap, bad, (detail) => problems.push({ code: 'UCAN_TOO_LARGE', detail }));
  if (prf !== undefined) {
    if (!Array.isArray(prf)) bad(`prf must be an array of CID strings, got ${kind(prf)}`);
    else
      prf.forEach((entry: unknown, index) => {
        if (typeof entry !== 'string') return bad(`prf[${index}] must be a CID string, got ${kind(entry)}`);
        const problem = canonicalCidProblem(entry);
        if (problem !== undefined) bad(`prf[${index}]: ${problem}`);
      });
  }
  return problems;
}

/** `{ resource URI: { ability: [caveat object, ...] } }` (spec 3.2.6); abilities are `*` or namespaced (spec 2.3). */
function capProblems(cap: unknown, bad: (detail: string) => void, tooMany: (detail: string) => void): void {
  if (!isPlainObject(cap)) return bad(`cap must be an object of resources, got ${kind(cap)}`);
  let count = 0;
  // Paths are spelled only when a problem is found: a valid token, the common case, builds none.
  const at = (resource: string, ability?: string): string =>
    `cap[${quote(resource)}]${ability === undefined ? '' : `[${quote(ability)}]`}`;
  for (const resource in cap) {
    const abilities = cap[resource];
    if (!URI.test(resource)) bad(`${at(resource)}: the resource must be a URI (scheme:...)`);
    if (!isPlainObject(abilities)) {
      bad(`${at(resource)} must be an object of abilities, got ${kind(abilities)}`);
      continue;
    }
    let listed = 0;
    for (const ability in abilities) {
      const caveats = abilities[ability];
      listed += 1;
      if (ability !== '*' && !NAMESPACED_ABILITY.test(ability)) bad(`${at(resource, ability)}: an ability is "*" or namespaced as namespace/name`);
      if (!Array.isArray(caveats)) {
        bad(`${at(resource, ability)} must be an array of caveat objects, got ${kind(caveats)}`);
        continue;
      }
      count += caveats.length;
      for (const [index, caveat] of caveats.entries())
        if (!isPlainObject(caveat)) bad(`${at(resource, ability)}[${index}] must be a caveat object, got ${kind(caveat)}`);
    }
    if (listed === 0) bad(`${at(resource)} must list at least one ability`);
  }
  if (count > MAX_CAPABILITIES) tooMany(`cap holds ${count} capabilities (resource, ability, caveat); at most ${MAX_CAPABILITIES}`);
}

/**
 * Whether `value` nests objects or arrays deeper than `limit`. The recursion stops at `limit`, so
 * it stays shallow however deep the input (V8's JSON.parse itself nests without bound).
 */
function jsonDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  for (const key in value) if (jsonDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a` compared with `b` as semantic versions: negative, zero or positive. Both must match SEMVER. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}
