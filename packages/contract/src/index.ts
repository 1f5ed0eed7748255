export { HecateService } from './service.js';
export type {
  CapabilityMap,
  DelegateResult,
  HecateServiceClass,
  IdentityError,
  IdentityRequired,
  LogLevel,
  MeshAuthorization,
  Logger,
  RequiredCapability,
  RuntimeConfig,
  ServiceIdentity,
  StartOptions,
  VerifyCallerResult,
} from './service.js';
export type { Health, HealthStatus } from './health.js';
export { MESH_CALL_ABILITY, MESH_RESOURCE_PREFIX, meshResource } from './mesh.js';
export type { Mesh, MeshCallContext, MeshCallOptions, MeshCallResult, MeshError, MeshErrorCode, MeshHandler, MeshProvider, MeshProviderChange, MeshProviderHealth } from './mesh.js';
export * from './rules.js';
export {
  CapabilityListSchema,
  CapabilitySchema,
  ContractValuesSchema,
  DescriptionSchema,
  IdentitySpecSchema,
  InfoSchema,
  ManifestSchema,
  SemverSchema,
  ServiceNameSchema,
  UcanRequestSchema,
} from './schemas.js';
export type { Capability, ContractValues, IdentitySpec, Info, Manifest, UcanRequest } from './schemas.js';
export { contractHashOf, contractValuesOf, deriveManifest } from './manifest.js';
export type { DeploymentFacts } from './manifest.js';
export { abilityOf, deriveUcanRequest, resourceUri } from './ucan-request.js';
export { MANIFEST_SCHEMA_ID, manifestJsonSchema, parseManifest, problemsFromZodError } from './parse-manifest.js';
export type { ManifestProblem, ParseManifestResult } from './parse-manifest.js';
export { parseUcanRequest } from './parse-ucan-request.js';
export type { ParseUcanRequestResult } from './parse-ucan-request.js';
export { formatJsonPath } from './json-path.js';
export { canonicalJson } from './canonical-json.js';
