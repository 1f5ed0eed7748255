export { boot } from './boot.js';
export type { BootOptions } from './boot.js';
export {
  DEFAULT_HEALTH_HOST,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  RUNTIME_VARIABLES,
  formatConfigProblem,
  resolveConfig,
} from './config.js';
export type { ConfigProblem, Environment, ResolveConfigResult, RuntimeVariable } from './config.js';
export { serviceFile } from './service-file.js';
export { createTestMesh } from './mesh/test-mesh.js';
export type { TestMesh, TestMeshJoinOptions, TestMeshMember, TestMeshOptions } from './mesh/test-mesh.js';
export type { CallAuthorization, CallHeaders } from './mesh/authorization.js';
export { createInvocationAuthorization, INVOCATION_HEADER, meshCallCapability, PROOFS_HEADER } from './mesh/invocation-authorization.js';
export type { InvocationAuthorizationOptions, MeshIdentity } from './mesh/invocation-authorization.js';
export { openMeshClient } from './mesh/mesh-client.js';
export type { MeshClient, MeshClientOptions, MeshInstance, OpenMeshClientResult } from './mesh/mesh-client.js';
