import { deriveManifest, type ContractValues, type Manifest } from '@hecate-om/contract';

export const echoValues: ContractValues = {
  info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
  capabilities: [{ name: 'echo.say', version: 1 }],
  identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
};

export const echoManifest: Manifest = deriveManifest(echoValues, {
  imageRepository: 'ghcr.io/acme',
  license: 'Apache-2.0',
  runtimeVersion: '0.1.0',
});
