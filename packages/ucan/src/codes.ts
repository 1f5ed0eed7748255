/**
 * Every way a UCAN can fail verification, one code per rule, each with the section of UCAN 0.10
 * (ucan-wg/spec, tag v0.10.0) it comes from. Callers switch on `code`, never on message text; the
 * package README renders this table.
 */
export const UCAN_RULES = {
  UCAN_TOO_LARGE: {
    rule: 'a token is at most maxTokenBytes long, nests at most 32 levels and holds at most 1000 capabilities',
    spec: 'ours (bounded input)',
  },
  UCAN_FORMAT: { rule: 'a token is three base64url segments: header.payload.signature', spec: '3 (RFC 7519)' },
  UCAN_JSON: { rule: 'the header and payload decode to JSON objects', spec: '3 (RFC 7519)' },
  UCAN_ALG_NONE: { rule: 'the unsigned algorithm "none" is refused', spec: '3.1' },
  UCAN_ALG: { rule: 'alg names the issuer key type: EdDSA for an Ed25519 did:key', spec: '3.1, 3.2.2' },
  UCAN_TYP: { rule: 'typ is "JWT"', spec: '3.1' },
  UCAN_PAYLOAD: { rule: 'payload fields are present and of the right type', spec: '3.2' },
  UCAN_VERSION: { rule: 'ucv is a 0.10.x semantic version', spec: '3.2.1' },
  UCAN_DID: { rule: 'iss and aud are single principals; iss is an Ed25519 did:key', spec: '3.2.2' },
  UCAN_SIGNATURE: { rule: "the signature verifies with the issuer's key", spec: '3.2.2' },
  UCAN_NOT_YET_VALID: { rule: 'now (plus skew) is at or after nbf', spec: '6.1' },
  UCAN_EXPIRED: { rule: 'now (minus skew) is at or before exp', spec: '6.1' },
  UCAN_AUDIENCE: { rule: "the outermost aud is the verifier's DID", spec: '6.2.1' },
  UCAN_REVOKED: { rule: 'no token of the chain is revoked', spec: '6.6' },
  UCAN_PROOF_UNRESOLVABLE: { rule: 'a proof used for a capability can be resolved', spec: '3.2.7, 8' },
  UCAN_PROOF_CID_MISMATCH: { rule: 'a resolved proof hashes to the CID it was asked for', spec: '6.5' },
  UCAN_PROOF_TIME_BOUNDS: { rule: "a proof's time bounds enclose its child's", spec: '6.1, 6.3' },
  UCAN_PRINCIPAL_ALIGNMENT: { rule: "a proof's aud is its child's iss", spec: '6.2' },
  UCAN_VERSION_ORDER: { rule: "a token's ucv is not older than its proofs'", spec: '6.7' },
  UCAN_PROOF_REFERENCE: { rule: 'a ucan: resource selects proofs listed in prf, with ability ucan/* or *', spec: '4.1, 5.1' },
  UCAN_ATTENUATION: {
    rule: 'every capability is owned by a root issuer or derived from a valid proof, caveats only narrowed',
    spec: '3.2.6, 6.3',
  },
  UCAN_PROOF_LIMIT: {
    rule: 'a chain is at most maxProofDepth deep and maxProofs proofs large, and proves at most 2000 capabilities per token',
    spec: 'ours (bounded input)',
  },
} as const satisfies Record<string, { rule: string; spec: string }>;

export type UcanErrorCode = keyof typeof UCAN_RULES;

/** One broken rule: which, in which token (by CID), and a message naming both: code first, then what was found, then the rule it breaks. */
export interface UcanError {
  code: UcanErrorCode;
  /** CID of the token that broke the rule (base32 CIDv1, raw, sha2-256); for an unresolvable proof, the CID asked for. */
  cid: string;
  message: string;
}

export function ucanError(code: UcanErrorCode, cid: string, detail: string): UcanError {
  const token = cid === '' ? 'the input (not hashed: not a string, or too large)' : `token ${cid}`;
  // The rule comes last and says it is broken: put beside the code, it read as if it held.
  return { code, cid, message: `${code} in ${token}: ${detail} (rule broken: ${UCAN_RULES[code].rule})` };
}
