import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPluginRelease, httpGet, removeRelease, runRelease } from './fixture-release.mjs';

let release: { dir: string; manifest: { name: string; version: string } };

beforeAll(async () => {
  release = await buildPluginRelease('examples/hecate-echo');
});
afterAll(() => removeRelease(release.dir));

describe('the example release, unpacked from the tarball the plugin wrote', () => {
  it('runs with node, answers /health and /manifest, and exits 0 on SIGTERM after stopping', async () => {
    const run = runRelease(release.dir);
    try {
      const port = await run.ready();
      const health = await httpGet(port, '/health');
      expect([health.status, health.json]).toEqual([200, { status: 'ok', name: 'hecate-echo', version: release.manifest.version, checks: { service: [{ status: 'ok' }] } }]);
      expect((await httpGet(port, '/manifest')).json).toEqual(release.manifest);
      run.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.lines.map((event) => event.message).slice(-2)).toEqual(['shutting down', 'stopped']);
    } finally {
      run.kill('SIGKILL');
    }
  });
});
