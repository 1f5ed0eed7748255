// The runtime's mesh parts from the built packages, as boot() creates them, for the mesh benchmark.
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = (path) => import(pathToFileURL(fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url))).href);

export const manifestOf = async (name, capabilities = [{ name: 'echo.say', version: 1 }]) => {
  const { deriveManifest } = await dist('contract/dist/index.js');
  return deriveManifest(
    { info: { name, version: '1.0.0', description: 'Benchmarks the mesh' }, capabilities, identitySpec: { scope: 'bench', actions: ['answer'], resources: ['bench/*'], ttlDays: 1 } },
    { imageRepository: 'ghcr.io/acme', license: 'Apache-2.0', runtimeVersion: '0.1.0' },
  );
};

export async function meshParts(url, manifest, log = () => {}) {
  const [{ createMeshParts }, { systemClock }, { createLogger }] = await Promise.all([
    dist('runtime/dist/mesh/mesh-parts.js'),
    dist('runtime/dist/health-monitor.js'),
    dist('runtime/dist/logger.js'),
  ]);
  const resolved = await manifest;
  return createMeshParts({
    urls: [url],
    manifest: resolved,
    log: createLogger({ level: 'info', service: resolved, write: log }),
    identity: () => ({ did: '', realm: '' }),
    readiness: async () => ({ ready: true }),
    clock: systemClock,
    random: Math.random,
  });
}

export const providerView = () => dist('runtime/dist/mesh/provider-view.js');
export const timings = () => dist('runtime/dist/mesh/timings.js');
