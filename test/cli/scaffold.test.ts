import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir, treeOf } from './support/cli.js';
import { findHouseValues } from './support/house-values.js';
import { type RunningRelease, freePort, startRelease, stopRelease, waitFor200 } from './support/release.js';

const run = promisify(execFile);
const pnpm = join(repoRoot, 'node_modules', '.bin', 'pnpm');
// ucan comes with the runtime; the overrides must reach transitive references too.
const OUR_PACKAGES = ['contract', 'runtime', 'ucan', 'unplugin'] as const;

const NAME = 'hecate-ledger';
const DESCRIPTION = 'Keeps a "ledger" of usage over the mesh';
const ORG = 'acme';
const REGISTRY = 'registry.example.com';
const HEALTH_PORT = 9471;
const VERSION = '0.1.0';
const IMAGE = `${REGISTRY}/${ORG}/${NAME}:${VERSION}`;

/** The output of a command the user types in the generated repository; the error says which failed and why. */
async function inService(dir: string, command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: dir, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    return stripVTControlCharacters(stdout + stderr);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${dir}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/**
 * A new user outside our organisation: scaffolds with their own org and registry, installs our
 * packages from `pnpm pack` tarballs (everything else from the npm registry), and runs the
 * service's own scripts.
 */
describe('a service scaffolded by hecate-om for another org and registry', () => {
  let work: string;
  let service: string;
  let pristineHouseValues: Awaited<ReturnType<typeof findHouseValues>>;
  let release: RunningRelease | undefined;

  beforeAll(async () => {
    work = await tempDir('e2e');
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    for (const name of OUR_PACKAGES)
      await inService(join(repoRoot, 'packages', name), pnpm, ['pack', '--pack-destination', tarballs]);

    const scaffold = await runCli(
      ['scaffold', '--name', NAME, '--description', DESCRIPTION, '--org', ORG, '--registry', REGISTRY, '--health-port', String(HEALTH_PORT)],
      { cwd: work },
    );
    if (scaffold.status !== 0) throw new Error(`scaffold failed: ${scaffold.stderr}`);
    service = join(work, NAME);
    pristineHouseValues = await findHouseValues(service);

    // Our packages are not on the registry: point every reference to them, transitive ones
    // included, at the tarballs, as a user trying a release candidate would.
    const tarballOf = async (name: string): Promise<string> =>
      join(tarballs, (await readdir(tarballs)).find((file) => file.startsWith(`hecate-om-${name}-`))!);
    const overrides = await Promise.all(OUR_PACKAGES.map(async (name) => `  '@hecate-om/${name}': 'file:${await tarballOf(name)}'`));
    await appendFile(join(service, 'pnpm-workspace.yaml'), ['overrides:', ...overrides, ''].join('\n'));
    await inService(service, pnpm, ['install']);
  }, 300_000);

  // Each test that needs the build or the unpacked release asks for it, so that any order works.
  let building: Promise<void> | undefined;
  const built = (): Promise<void> => (building ??= inService(service, pnpm, ['run', 'build']).then(() => {}));
  let unpacking: Promise<string> | undefined;
  const unpacked = (): Promise<string> =>
    (unpacking ??= built().then(async () => {
      const directory = join(work, 'release');
      await mkdir(directory);
      await run('tar', ['-xzf', join(service, 'dist', `${NAME}-${VERSION}.tar.gz`), '-C', directory]);
      return directory;
    }));

  afterAll(async () => {
    if (release !== undefined) await stopRelease(release);
    await rm(work, { recursive: true, force: true });
  });

  it('is generated with no value of the hecate-om project left in it', () => {
    expect(pristineHouseValues).toEqual([]);
  });

  it('type-checks', async () => {
    await inService(service, pnpm, ['run', 'typecheck']);
  }, 120_000);

  it("type-checks a service that uses Node's globals, process.env and setTimeout", async () => {
    const file = join(service, 'src', 'node-globals.ts');
    await writeFile(file, "export const level = process.env.LOG_LEVEL ?? 'info';\nexport const timer: NodeJS.Timeout = setTimeout(() => {}, 1);\n");
    try {
      await inService(service, pnpm, ['run', 'typecheck']);
    } finally {
      await rm(file);
    }
  }, 120_000);

  it('passes its own tests: the contract shape, its names, its version, no capability, no authority', async () => {
    const output = await inService(service, pnpm, ['test']);
    expect(output).toMatch(/Tests\s+6 passed \(6\)/);
  }, 120_000);

  it('builds every artifact, named and placed for the chosen org and registry', async () => {
    await built();
    const dist = join(service, 'dist');
    expect(await treeOf(dist)).toEqual([
      '.hecate-om-outputs.json',
      'Containerfile',
      `${NAME}-${VERSION}.tar.gz`,
      `${NAME}.container`,
      'main.js',
      'main.js.map',
      'manifest.json',
      'ucan-request.json',
    ]);
    const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: NAME,
      version: VERSION,
      description: DESCRIPTION,
      license: 'Apache-2.0',
      image: IMAGE,
      capabilities: [],
      identity: { scope: NAME, actions: [], resources: [], ttlDays: 30 },
      health: { port: HEALTH_PORT, path: '/health' },
      paths: { secrets: `/etc/hecate/secrets/${NAME}`, state: `/var/lib/hecate/${NAME}` },
    });
    expect(manifest).not.toHaveProperty('source');
    expect(JSON.parse(await readFile(join(dist, 'ucan-request.json'), 'utf8'))).toMatchObject({ service: { name: NAME, version: VERSION }, cap: {} });
    const unit = await readFile(join(dist, `${NAME}.container`), 'utf8');
    expect(unit.split('\n')).toEqual(expect.arrayContaining([`Image=${IMAGE}`, `ContainerName=${NAME}`]));
    expect(await readFile(join(dist, 'Containerfile'), 'utf8')).toContain(`ADD ${NAME}-${VERSION}.tar.gz `);
    const validate = await runCli(['validate', join(dist, 'manifest.json')], { cwd: service });
    expect([validate.status, validate.stdout]).toEqual([0, `${join(dist, 'manifest.json')}: valid manifest of ${NAME} ${VERSION}\n`]);
  }, 120_000);

  it('releases a tarball that boots, answers 200 on /health/ready and stops cleanly on SIGTERM', async () => {
    const releaseDir = join(await unpacked(), `${NAME}-${VERSION}`);
    expect(await treeOf(dirname(releaseDir))).toEqual([
      `${NAME}-${VERSION}/`,
      ...['main.js', 'main.js.map', 'manifest.json', 'package.json'].map((file) => `${NAME}-${VERSION}/${file}`),
    ]);
    const port = await freePort();
    for (const directory of ['secrets', 'state']) await mkdir(join(work, directory), { recursive: true });
    release = startRelease(releaseDir, {
      HECATE_HEALTH_PORT: String(port),
      HECATE_SECRETS_DIR: join(work, 'secrets'),
      HECATE_STATE_DIR: join(work, 'state'),
    });
    await waitFor200(port, '/health/ready', release.child);
    const code = await stopRelease(release);
    expect(code, release.output()).toBe(0);
    release = undefined;
  }, 60_000);

  it('leaves no value of the hecate-om project in what it builds and releases', async () => {
    // pnpm-workspace.yaml and the lockfile hold this test's own tarball overrides.
    const releaseDirectory = await unpacked();
    expect(await findHouseValues(service, ['node_modules', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'])).toEqual([]);
    expect(await findHouseValues(releaseDirectory)).toEqual([]);
  }, 120_000);
});
