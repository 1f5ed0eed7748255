export { startRealm, REALM_DEFAULTS, DEVELOPMENT_SERVICE_POLICY, DEVELOPMENT_REALM_NAME, DEVELOPMENT_BANNER } from './realm.js';
export type { RealmOptions, RealmStartError, RunningRealm, StartRealmResult } from './realm.js';
export {
  DEVELOPMENT_MIN_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  MIN_LIFETIME_SECONDS,
  MESH_CALL_ABILITY,
  MESH_RESOURCE_PREFIX,
  PolicySchema,
  ServicePolicySchema,
  allowedCapabilities,
  formatPolicyProblems,
  isRealmResource,
  meshResource,
  parsePolicy,
  readPolicyFile,
} from './policy.js';
export type { Policy, PolicyInput, PolicyParseOptions, PolicyProblem, PolicyResult, ServicePolicy } from './policy.js';
export { createJoinToken, JOIN_TOKEN_DEFAULTS, JOIN_TOKEN_MAX_LIFETIME_SECONDS, JOIN_TOKEN_PATTERN } from './join-tokens.js';
export type { CreateJoinTokenOptions, CreateJoinTokenResult, JoinToken, JoinTokenErrorCode } from './join-tokens.js';
export { revoke } from './revocations.js';
export type { RevokeOptions, RevokeResult } from './revocations.js';
export { PROVISION_RULES, ProvisionFactsSchema } from './provision.js';
export type { DecisionRecord, ProvisionAnswer, ProvisionFacts } from './provision.js';
export type { RefusedCapability } from './grant.js';
export { REFUSALS } from './refusals.js';
export type { Refusal, RefusalCode } from './refusals.js';
export { DATA_LAYOUT } from './data-directory.js';
export type { RevocationRecord } from './data-directory.js';
