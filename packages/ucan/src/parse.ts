import { ucanCid } from './cid.js';
import { ucanError, type UcanError, type UcanErrorCode } from './codes.js';
import { isPlainObject, payloadProblems, type UcanPayload } from './payload.js';

/** The JWT header of a UCAN (spec 3.1). */
export interface UcanHeader {
  alg: string;
  typ: string;
}

/** A structurally valid UCAN: decoded, every field typed; its signature and chain not yet checked. */
export interface ParsedUcan {
  token: string;
  /** Canonical CID of the token (see `ucanCid`). */
  cid: string;
  header: UcanHeader;
  payload: UcanPayload;
  /** `header.payload` as it appears in the token: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export type ParseResult = { ok: true; ucan: ParsedUcan } | { ok: false; errors: UcanError[] };

/** 32 KiB holds a token with hundreds of capabilities and proofs; a credential is under 2 KiB. */
export const DEFAULT_MAX_TOKEN_BYTES = 32 * 1024;
/** The only algorithm of the keys this package reads: Ed25519 as JOSE names it (RFC 8037). */
export const ED25519_ALG = 'EdDSA';
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The header every token issueUcan signs carries; seen as is, it needs no decoding. */
export const ED25519_HEADER = /* @__PURE__ */ Object.freeze({ alg: ED25519_ALG, typ: 'JWT' });
export const ED25519_HEADER_SEGMENT = /* @__PURE__ */ Buffer.from(JSON.stringify(ED25519_HEADER)).toString('base64url');

/**
 * Decodes and checks a token's structure: three base64url segments, JSON header and payload, the
 * header's alg and typ (spec 3.1) and the payload's fields and types (spec 3.2). The signature,
 * time bounds and proofs are `verifyUcan`'s. Never throws: any input, of any type, gives a result.
 * Errors carry the token's CID, or `""` when the input is not a string or is over `maxTokenBytes`
 * (it is not hashed then, to stay bounded).
 */
export function parseUcan(token: unknown, { maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES } = {}): ParseResult {
  return parseToken(token, maxTokenBytes, undefined);
}

/** parseUcan, given the token's CID when the caller already computed it (a resolved proof's). */
export function parseToken(token: unknown, maxTokenBytes: number, knownCid: string | undefined): ParseResult {
  if (typeof token !== 'string') return failure('UCAN_FORMAT', '', `a token is a string, got ${token === null ? 'null' : typeof token}`);
  // A JWT is ASCII, so its length in characters bounds its UTF-8 size from below.
  if (token.length > maxTokenBytes) return tooLarge(token, maxTokenBytes);
  // Hashed here only on the way to an error; a valid token's CID is hashed when first read.
  const cidOf = (): string => (knownCid ??= ucanCid(token));
  // Three base64url segments are ASCII: a token passing these checks is as many bytes as
  // characters, so only one refused by them is measured in UTF-8 (and refused unhashed if over).
  const malformed = (detail: string): { ok: false; errors: UcanError[] } =>
    Buffer.byteLength(token, 'utf8') > maxTokenBytes ? tooLarge(token, maxTokenBytes) : failure('UCAN_FORMAT', cidOf(), detail);
  const segments = token.split('.');
  if (segments.length !== 3) return malformed(`a JWT has three dot-separated segments, this one has ${segments.length}`);
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];
  const names = ['header', 'payload', 'signature'] as const;
  for (const [index, segment] of [headerSegment, payloadSegment, signatureSegment].entries())
    if (!BASE64URL.test(segment) || segment.length % 4 === 1) return malformed(`the ${names[index]} segment is not unpadded base64url`);
  // Unused low bits would let one signature be spelled several ways, each with its own CID, which
  // would slip past revocation and replay checks keyed by CID.
  if (hasUnusedBits(signatureSegment))
    return failure('UCAN_FORMAT', cidOf(), 'the signature segment is not canonical base64url (unused bits are set)');
  const signature = Buffer.from(signatureSegment, 'base64url');
  const header = headerSegment === ED25519_HEADER_SEGMENT ? ED25519_HEADER : decodeJson(headerSegment);
  const payload = decodeJson(payloadSegment);
  const errors: UcanError[] = [];
  if (!isPlainObject(header)) errors.push(ucanError('UCAN_JSON', cidOf(), 'the header is not a JSON object'));
  if (!isPlainObject(payload)) errors.push(ucanError('UCAN_JSON', cidOf(), 'the payload is not a JSON object'));
  if (!isPlainObject(header) || !isPlainObject(payload)) return { ok: false, errors };
  errors.push(...headerProblems(header, cidOf));
  for (const problem of payloadProblems(payload)) errors.push(ucanError(problem.code, cidOf(), problem.detail));
  if (errors.length > 0) return { ok: false, errors };
  const signingInput = token.slice(0, headerSegment.length + 1 + payloadSegment.length);
  return { ok: true, ucan: new ParsedToken(token, knownCid, header as unknown as UcanHeader, payload as unknown as UcanPayload, signingInput, signature) };
}

/**
 * A valid token's CID is hashed when first read: verifying an invocation whose proofs are cached
 * needs it, a token checked on its own often does not. A class, because an object literal with a
 * getter cost V8 as much to create as the rest of parsing.
 */
class ParsedToken implements ParsedUcan {
  #cid: string | undefined;

  constructor(
    readonly token: string,
    cid: string | undefined,
    readonly header: UcanHeader,
    readonly payload: UcanPayload,
    readonly signingInput: string,
    readonly signature: Buffer,
  ) {
    this.#cid = cid;
  }

  get cid(): string {
    return (this.#cid ??= ucanCid(this.token));
  }
}

function headerProblems(header: Record<string, unknown>, cidOf: () => string): UcanError[] {
  const errors: UcanError[] = [];
  const { alg, typ } = header;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none')
    errors.push(ucanError('UCAN_ALG_NONE', cidOf(), 'alg is "none": an unsigned token proves nothing'));
  else if (alg !== ED25519_ALG)
    errors.push(ucanError('UCAN_ALG', cidOf(), `alg must be "${ED25519_ALG}" (Ed25519 did:key issuers), got ${JSON.stringify(alg) ?? 'nothing'}`));
  if (typ !== 'JWT') errors.push(ucanError('UCAN_TYP', cidOf(), `typ must be "JWT", got ${JSON.stringify(typ) ?? 'nothing'}`));
  return errors;
}

/**
 * Whether the last character of unpadded base64url `segment` sets bits beyond its last byte: with
 * 2 (or 3) characters in the final group, its low 4 (or 2) bits are unused and must be 0 (RFC 4648
 * 3.5), as re-encoding the decoded bytes would spell them.
 */
function hasUnusedBits(segment: string): boolean {
  const unused = [0, 0, 0b1111, 0b11][segment.length % 4] as number;
  return unused !== 0 && (BASE64URL_ALPHABET.indexOf(segment[segment.length - 1] as string) & unused) !== 0;
}

function tooLarge(token: string, maxTokenBytes: number): { ok: false; errors: UcanError[] } {
  return failure('UCAN_TOO_LARGE', '', `the token is over ${maxTokenBytes} bytes (${token.length} characters)`);
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function failure(code: UcanErrorCode, cid: string, detail: string): { ok: false; errors: UcanError[] } {
  return { ok: false, errors: [ucanError(code, cid, detail)] };
}
