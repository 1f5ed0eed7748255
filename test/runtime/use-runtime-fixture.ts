import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Release, type RunningRelease, buildRuntimeFixture, removeRelease, runRelease } from './fixture-release.mjs';

export interface RuntimeFixture {
  /** The runtime fixture's release, unpacked from the tarball the plugin wrote; built in beforeAll. */
  release(): Release;
  /** Runs `node main.js` in dir (default: the fixture's release) with env added; killed when the test ends. */
  start(env?: Record<string, string | undefined>, dir?: string): RunningRelease;
}

/**
 * Registers the hooks every runtime e2e file needs around test/fixtures/runtime-service: build its
 * release once for the file, SIGKILL whatever a test started when that test ends, and remove the
 * release after the file. Call it at the top level of a test file.
 */
export function useRuntimeFixture(): RuntimeFixture {
  let built: Release | undefined;
  const running: RunningRelease[] = [];

  beforeAll(async () => {
    built = await buildRuntimeFixture();
  });
  afterEach(() => {
    for (const run of running.splice(0)) run.kill('SIGKILL');
  });
  afterAll(async () => {
    if (built !== undefined) await removeRelease(built.dir);
  });

  const release = (): Release => {
    if (built === undefined) throw new Error('the runtime fixture is built in beforeAll: ask for its release inside a test');
    return built;
  };
  const start = (env: Record<string, string | undefined> = {}, dir: string = release().dir): RunningRelease => {
    const run = runRelease(dir, env);
    running.push(run);
    return run;
  };
  return { release, start };
}
