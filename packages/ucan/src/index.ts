export {
  abilityCovers,
  capabilitiesCover,
  capabilityCovers,
  capabilityList,
  caveatNarrows,
  intersectCapabilities,
  jsonEquals,
  mergeCaveats,
  resourceCovers,
  TOP_ABILITY,
  type Capabilities,
  type Capability,
  type Caveat,
  type Json,
} from './capabilities.js';
export { MAX_AUTHORITY, type AuthorityEntry } from './authority.js';
export { canonicalCidProblem, ucanCid } from './cid.js';
export { UCAN_RULES, type UcanError, type UcanErrorCode } from './codes.js';
export { didFromPublicKey, generateKeyPair, publicKeyFromDid, type KeyPair, type PublicKeyResult } from './did-key.js';
export { grantsCapability } from './grants.js';
export {
  createInvocationVerifier,
  INVOCATION_REFUSALS,
  type AcceptedInvocation,
  type InvocationRefusal,
  type InvocationRefusalReason,
  type InvocationVerdict,
  type InvocationVerifier,
  type InvocationVerifierOptions,
} from './invocation-verifier.js';
export {
  INVOCATION_MAX_LIFETIME_SECONDS,
  issueInvocation,
  type Invocation,
  type InvocationErrorCode,
  type InvocationOptions,
  type IssueInvocationResult,
} from './invocation.js';
export { issueUcan, type IssuedUcan, type IssueOptions } from './issue.js';
export {
  keyPairFromPem,
  readKeyFile,
  writeKeyFile,
  type KeyFileError,
  type KeyFileErrorCode,
  type KeyFileResult,
  type WriteKeyFileResult,
} from './key-file.js';
export { VERIFY_DEFAULTS, type ProofSource, type RootIssuer, type VerifyOptions } from './options.js';
export { PROOF_CACHE_DEFAULTS, ProofCache, type ProofCacheOptions } from './proof-cache.js';
export { REPLAY_CACHE_DEFAULTS, ReplayCache, type ClaimResult, type ReplayCacheOptions } from './replay-cache.js';
export { DEFAULT_MAX_TOKEN_BYTES, parseUcan, type ParsedUcan, type ParseResult, type UcanHeader } from './parse.js';
export { MAX_CAPABILITIES, MAX_JSON_DEPTH, UCAN_VERSION, type UcanPayload } from './payload.js';
export {
  MAX_REVOCATION_LIST_ENTRIES,
  readRevocationList,
  revocationSignatureValid,
  signRevocation,
  type IgnoredRevocation,
  type Revocation,
  type RevocationListResult,
} from './revocation.js';
export { verifyUcan, type VerifiedUcan, type VerifyResult } from './verify.js';
