/**
 * Deriving a manifest and a UCAN request from contract values, without zod: exported alone as
 * `@hecate-om/contract/derive` for code on the build plugin's warm path, which checks a cached
 * manifest by deriving it again (its contract hash included) rather than by loading the schemas.
 */
export { canonicalJson } from './canonical-json.js';
export { contractHashOf, contractValuesOf, deriveManifest } from './manifest.js';
export type { DeploymentFacts } from './manifest.js';
export { deriveUcanRequest } from './ucan-request.js';
