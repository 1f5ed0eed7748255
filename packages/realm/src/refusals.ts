/**
 * Every way the realm says no, one stable code each, with its HTTP status and what the caller can
 * do about it. Clients switch on `code`, never on the message; the package README renders this
 * table (a test keeps the two in step).
 */
export const REFUSALS = {
  NOT_FOUND: { status: 404, meaning: 'no such endpoint', hint: 'the endpoints are listed in the realm README' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'the endpoint does not take this method', hint: 'see the Allow header' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the body is not declared as application/json', hint: 'send Content-Type: application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the body is larger than the realm reads', hint: 'a provision request is well under 64 KiB; ask for fewer capabilities' },
  MALFORMED_REQUEST: { status: 400, meaning: 'the body is not strict JSON of the shape { "ucan": "<jwt>" }', hint: 'send UTF-8 JSON with exactly one field, ucan' },
  WRONG_AUDIENCE: { status: 401, meaning: "the provision UCAN is addressed to another DID than this realm's", hint: "pin this realm's DID (GET /api/v1/realm shows it): for a hecate service, HECATE_REALM_DID" },
  INVALID_TOKEN: { status: 401, meaning: 'the provision UCAN fails verification (structure, signature, time bounds, audience)', hint: 'details lists each broken UCAN rule by code' },
  TOKEN_LIFETIME: { status: 401, meaning: 'the provision UCAN is valid for more than 60 seconds, or never expires', hint: 'issue it with exp at most 60 s after now (and after nbf)' },
  UNEXPECTED_PROOFS: { status: 401, meaning: 'the provision UCAN carries proofs', hint: 'a provision UCAN is self-issued: prf must be empty' },
  MISSING_NONCE: { status: 401, meaning: 'the provision UCAN has no nnc', hint: 'give every provision UCAN a fresh random nonce' },
  REPLAYED_NONCE: { status: 401, meaning: 'this issuer already used this nonce while it could still be valid', hint: 'issue a new provision UCAN with a fresh nonce' },
  INVALID_FACTS: { status: 400, meaning: 'fct does not hold the service, version, contractHash and lifetimeSeconds (and a well-formed joinToken, if any)', hint: 'details lists each problem with its JSON path' },
  UNKNOWN_SERVICE: { status: 403, meaning: 'the policy names no such service', hint: 'add the service to the policy file' },
  NOT_ENROLLED: { status: 403, meaning: 'this DID is not enrolled for the service, and no join token came with the claim', hint: 'list the DID in the policy, or create a join token: hecate-om realm join-token --service <name>' },
  ENROLLED_ELSEWHERE: { status: 403, meaning: 'this DID is enrolled for another service', hint: 'an instance answers as one service: give the other service its own key' },
  JOIN_TOKENS_NOT_ACCEPTED: { status: 403, meaning: "the service's policy does not enroll instances by join token", hint: 'set enroll.joinTokens to true, or list the DID in enroll.dids' },
  JOIN_TOKEN_UNKNOWN: { status: 403, meaning: 'the realm never issued this join token', hint: 'create one: hecate-om realm join-token --service <name>' },
  JOIN_TOKEN_USED: { status: 403, meaning: 'the join token already enrolled an instance', hint: 'a join token enrolls one instance: create another' },
  JOIN_TOKEN_EXPIRED: { status: 403, meaning: 'the join token is past its expiry', hint: 'create a new join token' },
  JOIN_TOKEN_WRONG_SERVICE: { status: 403, meaning: 'the join token was created for another service', hint: 'use a token created with --service <this service>' },
  REALM_BUSY: { status: 503, meaning: 'the replay cache is full of provision UCANs that are still valid', hint: 'retry after the Retry-After seconds' },
  INTERNAL_ERROR: { status: 500, meaning: 'the realm could not read or write its data directory, or failed otherwise', hint: "the realm's log names the file and the cause" },
} as const satisfies Record<string, { status: number; meaning: string; hint: string }>;

export type RefusalCode = keyof typeof REFUSALS;

/** The body of every non-2xx answer: `{ "error": Refusal }`. */
export interface Refusal {
  readonly code: RefusalCode;
  /** What went wrong, naming the service, DID, token or file concerned. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
  /** Structured particulars: broken UCAN rules, fact problems with JSON paths, refused capabilities. */
  readonly details?: readonly unknown[];
}

export function refusal(code: RefusalCode, message: string, details?: readonly unknown[]): Refusal {
  return details === undefined ? { code, message, hint: REFUSALS[code].hint } : { code, message, hint: REFUSALS[code].hint, details };
}
