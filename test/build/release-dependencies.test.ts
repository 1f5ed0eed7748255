import { execFileSync, spawn } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/esbuild';
import type { Options } from '@hecate-om/unplugin/options';
import { nodeBinary } from '../deploy/support/node-binary.mjs';
import { httpGet } from '../runtime/fixture-release.mjs';
import { TempDirs, fixtureProject, unpackTarball } from './support/builds.js';

const PROJECT = fixtureProject('release-dependencies');
const RELEASE = 'release-dependencies-1.0.0';
const TARBALL = `${RELEASE}.tar.gz`;
/** A build of this fixture packs 10 MB of node_modules: on a shared 2-core machine it may take a while. */
const BUILD_TIMEOUT_MS = 240_000;
/** The fixture is installed by the Node running the tests (see fixtureProject), so its addon is for this Node. */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const NODE_ABI = Number(process.versions.modules);
/** A supported Node major other than this one: its ABI differs. */
const OTHER_NODE_MAJOR = NODE_MAJOR === 24 ? 22 : 24;

/** The README's esbuild build, plus a file loader and the files option, into outdir (outside the project). */
async function buildRelease(root: string, outdir: string, cacheDir: string, extra: BuildOptions = {}, options: Options = {}): Promise<string[]> {
  const result = await build({
    absWorkingDir: root,
    outdir,
    logLevel: 'silent',
    loader: { '.txt': 'file' },
    ...extra,
    plugins: [hecateOm({ files: ['sql/*.sql'], cacheDir, ...options })],
  });
  return result.warnings.map(({ text }) => text);
}

/** The command the Containerfile runs (its CMD), exactly. */
async function containerCommand(outdir: string): Promise<string[]> {
  const containerfile = await readFile(join(outdir, 'Containerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(containerfile)?.[1];
  return JSON.parse(cmd!) as string[];
}

interface Started {
  readonly reportPort: number;
  readonly healthPort: number;
  stop(): Promise<number | null>;
  output(): string;
}

/**
 * Unpacks the tarball into an empty folder outside the checkout and runs the Containerfile's CMD
 * there, until /health/ready answers 200.
 */
async function startRelease(temp: TempDirs, outdir: string): Promise<Started> {
  const dir = await temp.make('unpacked-release');
  await unpackTarball(join(outdir, TARBALL), dir);
  const [command, ...args] = await containerCommand(outdir);
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: join(dir, RELEASE),
    env: { PATH: process.env['PATH'], HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ports = new Promise<{ reportPort: number; healthPort: number }>((resolve, reject) => {
    let reportPort: number | undefined;
    let healthPort: number | undefined;
    const onData = (chunk: string): void => {
      output += chunk;
      for (const line of output.split('\n')) {
        try {
          const event = JSON.parse(line) as { reportPort?: number; port?: number; message?: string };
          if (typeof event.reportPort === 'number') reportPort = event.reportPort;
          if (typeof event.port === 'number' && /listening/.test(event.message ?? '')) healthPort = event.port;
        } catch {
          // a line that is not JSON (a warning): kept in output for the failure message
        }
      }
      if (reportPort !== undefined && healthPort !== undefined) resolve({ reportPort, healthPort });
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    void exited.then((code) => reject(new Error(`the release exited (${code}) before it listened: ${output}`)));
  });
  const { reportPort, healthPort } = await ports;
  for (let attempt = 0; (await httpGet(healthPort, '/health/ready')).status !== 200; attempt += 1) {
    if (attempt === 100) throw new Error(`/health/ready never answered 200: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    reportPort,
    healthPort,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(join(dir, entry.name), `${path}/`)));
    else found.push(path);
  }
  return found.sort();
}

// Byte-identical tarballs from two checkouts: test/build/releases/esbuild.test.ts, as for every bundler.
describe('a service with CommonJS packages, a native addon, a loader output and run-time files (esbuild)', () => {
  const temp = new TempDirs();
  let outdir: string;
  let warnings: string[];

  beforeAll(async () => {
    outdir = await temp.make('deps-dist');
    warnings = await buildRelease(PROJECT, outdir, await temp.make('deps-cache'));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => temp.removeAll());

  it('runs from an empty folder as the Containerfile runs it: express, pg, pino, better-sqlite3, a builtin required from CommonJS, one required on demand, both files', async () => {
    const release = await startRelease(temp, outdir);
    try {
      const report = await httpGet(release.reportPort, '/report');
      expect(report.json).toEqual({
        sqlite: 'hello from sqlite',
        banner: 'banner from the file loader',
        pg: '127.0.0.1',
        emitted: true,
        pino: 'function',
        pgNative: 'not installed',
        features: true,
      });
    } finally {
      expect(await release.stop()).toBe(0);
    }
  });

  it("names the service's sources in the stacks it logs", async () => {
    const release = await startRelease(temp, outdir);
    try {
      const stack = (await httpGet(release.reportPort, '/stack')).body.split('\n');
      expect(stack[0]).toBe('Error: failed on purpose');
      expect(stack[1]).toMatch(new RegExp(`^    at failHere \\(.*/${RELEASE}/src/service\\.ts:\\d+:\\d+\\)$`));
    } finally {
      await release.stop();
    }
  });

  it('ships the native addon and its production closure in node_modules, listed at its exact version, and nothing bundled', async () => {
    const dir = await temp.make('deps-layout');
    await unpackTarball(join(outdir, TARBALL), dir);
    const release = join(dir, RELEASE);
    const packageJson = JSON.parse(await readFile(join(release, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(packageJson.dependencies).toEqual({ 'better-sqlite3': '12.6.2' });
    const files = await filesUnder(release);
    expect(files).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(files).toContain('node_modules/bindings/bindings.js');
    // What only the compiler read stays behind: 9 MB of sqlite3.c, objects, makefiles.
    expect(files.filter((file) => file.startsWith('node_modules/better-sqlite3/') && /\.(?:c|cpp|h|o|gyp|mk)$|Makefile$/.test(file))).toEqual([]);
    // express, pg and pino are bundled, so they are not shipped.
    expect(files.filter((file) => /^node_modules\/(?:express|pg|pino)\//.test(file))).toEqual([]);
    expect(files.filter((file) => !file.startsWith('node_modules/'))).toEqual([
      basename(files.find((file) => file.startsWith('banner-'))!),
      'main.js',
      'main.js.map',
      'manifest.json',
      'package.json',
      'sql/greeting.sql',
    ]);
  });

  it('records the platform and Node ABI of the native code in the manifest, and starts FROM the image of that Node', async () => {
    const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as { platform: unknown };
    expect(manifest.platform).toEqual({ os: 'linux', cpu: process.arch, libc: 'glibc', nodeAbi: [NODE_ABI], nodeMajors: [NODE_MAJOR] });
    const containerfile = await readFile(join(outdir, 'Containerfile'), 'utf8');
    expect(containerfile).toMatch(new RegExp(`^FROM docker\\.io/library/node:${NODE_MAJOR}-slim$`, 'm'));
    // The default image is Node 24's: another Node's is said, and nothing else is.
    expect(warnings).toEqual(
      NODE_MAJOR === 24
        ? []
        : [
            `the base image is docker.io/library/node:${NODE_MAJOR}-slim, not the default docker.io/library/node:24-slim: the release's native addons (better-sqlite3) were built for Node ${NODE_MAJOR} (ABI ${NODE_ABI}); install them under Node 24 to ship on its image, or set the baseImage option`,
          ],
    );
  });

  it(`refuses to start under another Node (${OTHER_NODE_MAJOR}), naming both ABIs, before the addon is loaded`, { timeout: BUILD_TIMEOUT_MS }, async () => {
    const other = await nodeBinary(OTHER_NODE_MAJOR);
    const dir = await temp.make('deps-other-node');
    await unpackTarball(join(outdir, TARBALL), dir);
    const [, ...args] = await containerCommand(outdir);
    const child = spawn(other.path, args, { cwd: join(dir, RELEASE), env: { PATH: process.env['PATH'], HECATE_HEALTH_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const fatal = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: string; message: string; nodeAbi?: unknown; runningAbi?: unknown })
      .find(({ level }) => level === 'fatal');
    const otherAbi = Number(execFileSync(other.path, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim());
    expect(fatal).toMatchObject({
      message: `refusing to start: this release ships native addons built for Node ${NODE_MAJOR} (ABI ${NODE_ABI}), and this is Node ${other.version} (ABI ${otherAbi}), which cannot load them: run it on Node ${NODE_MAJOR}, or build it again with its dependencies installed under Node ${OTHER_NODE_MAJOR}`,
      nodeAbi: [NODE_ABI],
      runningAbi: otherAbi,
    });
    expect(output).not.toContain('ERR_DLOPEN_FAILED');
  });
});

describe("esbuild packages: 'external'", () => {
  const temp = new TempDirs();
  afterAll(() => temp.removeAll());

  it('ships every production dependency and @hecate-om/runtime in node_modules, and the release runs', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('deps-external');
    await buildRelease(PROJECT, outdir, await temp.make('deps-external-cache'), { packages: 'external' });
    const dir = await temp.make('deps-external-layout');
    await unpackTarball(join(outdir, TARBALL), dir);
    const packageJson = JSON.parse(await readFile(join(dir, RELEASE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // The runtime the generated entry imports is bundled, and imports @hecate-om/ucan and nats (the mesh), which the bundle then imports too.
    expect(Object.keys(packageJson.dependencies)).toEqual(['@hecate-om/contract', '@hecate-om/runtime', '@hecate-om/ucan', 'better-sqlite3', 'express', 'nats', 'pg', 'pino', 'runtime-features']);
    expect(packageJson.dependencies['express']).toBe('4.21.2');
    expect((await stat(join(dir, RELEASE, 'node_modules', 'express', 'lib', 'express.js'))).isFile()).toBe(true);
    const release = await startRelease(temp, outdir);
    try {
      expect((await httpGet(release.reportPort, '/report')).json).toMatchObject({ sqlite: 'hello from sqlite', banner: 'banner from the file loader', pgNative: 'not installed' });
    } finally {
      expect(await release.stop()).toBe(0);
    }
  });
});

describe('a release with native code for a base image that cannot load it', () => {
  const temp = new TempDirs();
  afterAll(() => temp.removeAll());

  it('warns, naming the C libraries and the baseImage option', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('deps-alpine');
    const baseImage = `docker.io/library/node:${NODE_MAJOR}-alpine`;
    const result = await build({
      absWorkingDir: PROJECT,
      outdir,
      logLevel: 'silent',
      loader: { '.txt': 'file' },
      plugins: [hecateOm({ files: ['sql/*.sql'], cacheDir: await temp.make('deps-alpine-cache'), baseImage })],
    });
    expect(result.warnings.map(({ text }) => text)).toEqual([
      `the release ships native code (better-sqlite3) linked against glibc, but the base image ${baseImage} has musl: build on a musl system or choose a glibc base image (the baseImage option)`,
    ]);
  });

  it('fails before bundling, writing nothing, when the base image runs another Node, naming both and the fix', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('deps-other-image');
    const baseImage = `docker.io/library/node:${OTHER_NODE_MAJOR}-slim`;
    const otherAbi = OTHER_NODE_MAJOR === 24 ? 137 : 127;
    await expect(buildRelease(PROJECT, outdir, await temp.make('deps-other-image-cache'), {}, { baseImage })).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `the release ships native addons (better-sqlite3) built for Node ${NODE_MAJOR} (ABI ${NODE_ABI}), but the base image ${baseImage} runs Node ${OTHER_NODE_MAJOR} (ABI ${otherAbi}), where they cannot load`,
          notes: [
            expect.objectContaining({
              text: `install the dependencies under Node ${OTHER_NODE_MAJOR} (or run \`npm rebuild better-sqlite3\` with it) before building, or set the baseImage option to docker.io/library/node:${NODE_MAJOR}-slim`,
            }),
          ],
        }),
      ],
    });
    expect(await readdir(outdir)).toEqual([]);
  });

  it('warns of a base image whose Node it cannot tell, and builds', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('deps-custom-image');
    const baseImage = 'registry.example.com/acme/runtime:3';
    const warnings = await buildRelease(PROJECT, outdir, await temp.make('deps-custom-image-cache'), {}, { baseImage });
    expect(warnings).toEqual([
      `the release ships native addons (better-sqlite3) built for Node ${NODE_MAJOR} (ABI ${NODE_ABI}), and the base image ${baseImage} cannot be checked (it is not an official node image whose tag names a Node major): it must run Node ${NODE_MAJOR} (ABI ${NODE_ABI}) for them to load (the release checks at boot), as docker.io/library/node:${NODE_MAJOR}-slim does`,
    ]);
    expect(await readFile(join(outdir, 'Containerfile'), 'utf8')).toContain(`FROM ${baseImage}\n`);
  });
});
