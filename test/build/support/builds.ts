import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const exampleRoot = join(repoRoot, 'examples', 'hecate-echo');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const supportDir = fileURLToPath(new URL('./', import.meta.url));

/**
 * A fixture project of test/fixtures, as installed for the running Node: `npm run test:node` installs
 * the fixtures with native addons again under each Node it runs (an addon loads only under the ABI it
 * was compiled for) and names where in HECATE_OM_NODE_FIXTURES (scripts/node-fixtures.mjs).
 */
export function fixtureProject(name: string): string {
  const perNode = process.env['HECATE_OM_NODE_FIXTURES'];
  return perNode !== undefined && existsSync(join(perNode, name)) ? join(perNode, name) : join(fixturesDir, name);
}

export const run = promisify(execFile);

export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `hecate-${label}-`));
}

export async function sortedEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** The temporary directories one test file makes, removed together in its afterAll. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(label: string): Promise<string> {
    const dir = await tempDir(label);
    this.#dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/**
 * What webpack and rspack need spelled out for a release, since the plugin supplies only the entry's
 * module: `main.js` as an ES module for node, beside its source map, unminified.
 */
export function webpackLikeReleaseOptions(context: string, outdir: string) {
  return {
    context,
    mode: 'production',
    target: 'node20',
    devtool: 'source-map',
    entry: { main: 'virtual:hecate-om/main' },
    output: { path: outdir, filename: '[name].js', module: true, chunkFormat: 'module', library: { type: 'module' } },
    optimization: { minimize: false },
  } as const;
}

export function releaseArtifacts(release: { name: string; version: string }): string[] {
  const { name, version } = release;
  return [
    '.hecate-om-outputs.json',
    'Containerfile',
    `${name}-${version}.tar.gz`,
    `${name}.container`,
    'main.js',
    'main.js.map',
    'manifest.json',
    'ucan-request.json',
  ].sort();
}

/** Builds the example service into outdir the way its README says: `node build.mjs <outdir>` (esbuild through the plugin). */
export async function buildExample(outdir: string): Promise<void> {
  await run(process.execPath, ['build.mjs', outdir], { cwd: exampleRoot });
}

/** Unpacks a release tarball into dir with the system's tar. */
export async function unpackTarball(tarball: string, dir: string): Promise<void> {
  await run('tar', ['-xzf', tarball, '-C', dir]);
}

/** Asserts that each of `files` in dir has the same text as in referenceDir, naming the file that differs. */
export async function expectSameTextFiles(dir: string, referenceDir: string, files: readonly string[]): Promise<void> {
  for (const file of files) expect(await readFile(join(dir, file), 'utf8'), file).toBe(await readFile(join(referenceDir, file), 'utf8'));
}

/**
 * Asserts that the release's source map is the one the bundler wrote into outdir with each source
 * made relative to the service root (the release's top folder stands for it), so that it names no
 * folder of the build machine.
 */
export async function expectReleaseSourceMap(releaseMapPath: string, outdirMapPath: string, outdir: string, root: string): Promise<void> {
  type SourceMap = { sources: string[]; mappings: string; sourcesContent?: string[]; names: string[] };
  const released = JSON.parse(await readFile(releaseMapPath, 'utf8')) as SourceMap;
  const written = JSON.parse(await readFile(outdirMapPath, 'utf8')) as SourceMap;
  expect(released).toEqual({ ...written, sources: written.sources.map((source) => relative(root, resolve(outdir, source))) });
  expect(released.sources.filter((source) => /(?:^|\/)tmp\//.test(source))).toEqual([]);
}

/** The part of a webpack or rspack compiler that runs one build. */
interface OneShotCompiler<S> {
  run(callback: (error: Error | null, stats?: S) => void): void;
  close(callback: (error?: Error | null) => void): void;
}

/** Runs one webpack or rspack build and closes the compiler; rejects on a fatal error, resolves with the stats otherwise. */
export function compileOnce<S>(compiler: OneShotCompiler<S>): Promise<S> {
  return new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => (error || stats === undefined ? reject(error ?? new Error('no stats')) : resolve(stats)));
    }),
  );
}

/**
 * A copy of a fixture service project in a temporary directory, which the test may edit; its
 * node_modules links the e2e package's packages, so @hecate-om/contract and @hecate-om/runtime resolve.
 *
 * The folder itself is the copy's own, as npm and pnpm make it (pnpm links the packages in it, not
 * the folder): the plugin writes its generated modules under `<root>/node_modules/.cache`, so a
 * link to a shared folder would have every copy share them, and webpack, which resolves a module
 * to its real path, would resolve the generated entry's relative imports from the shared folder.
 */
export async function copyOfProject(source: string): Promise<string> {
  const root = await tempDir('project');
  // A fixture's node_modules holds only what earlier builds generated there: the copy gets the e2e package's.
  await cp(source, root, { recursive: true, filter: (path) => basename(path) !== 'node_modules' });
  const shared = join(repoRoot, 'test', 'node_modules');
  const own = join(root, 'node_modules');
  await mkdir(own);
  for (const name of await readdir(shared)) if (name !== '.cache') await symlink(join(shared, name), join(own, name), 'dir');
  return root;
}

/**
 * A second checkout of this repository at another path and depth, holding what building `project`
 * (a folder under the repository) reads: the project, the workspace's packages, and each folder
 * above the project with its files and its installed node_modules (pnpm's store included), laid
 * out as a clone installed with pnpm lays them out. Bundlers resolve a module to its real path, so
 * the store and the packages are really in the copy, as hard links: a second of copying, no bytes
 * written. pnpm's links are relative and stay so, resolving inside the copy. Returns the project's
 * folder in the copy; `temp` removes it.
 */
export async function checkoutElsewhere(project: string, temp: TempDirs): Promise<string> {
  const inRepository = relative(repoRoot, project);
  if (inRepository.startsWith('..')) throw new Error(`${project} is not under the repository ${repoRoot}`);
  const workspace = join(await temp.make('checkout'), 'elsewhere', 'hecate-om');
  await mkdir(workspace, { recursive: true });
  await run('cp', ['-al', join(repoRoot, 'packages'), join(workspace, 'packages')]);
  // Each folder above the project: package.json, pnpm-workspace.yaml, the tsconfig.json esbuild
  // reads from a parent, and node_modules, where webpack finds its loaders. Caches stay behind.
  for (let dir = dirname(project); ; dir = dirname(dir)) {
    const into = join(workspace, relative(repoRoot, dir));
    await mkdir(join(into, 'node_modules'), { recursive: true });
    for (const entry of await readdir(dir, { withFileTypes: true })) if (entry.isFile()) await cp(join(dir, entry.name), join(into, entry.name));
    const installed = existsSync(join(dir, 'node_modules')) ? (await readdir(join(dir, 'node_modules'))).filter((name) => name !== '.cache') : [];
    if (installed.length > 0) await run('cp', ['-al', ...installed.map((name) => join(dir, 'node_modules', name)), join(into, 'node_modules')]);
    if (relative(repoRoot, dir) === '') break;
  }
  const copy = join(workspace, inRepository);
  await cp(project, copy, { recursive: true, verbatimSymlinks: true, filter: (path) => !['.cache', 'dist'].includes(basename(path)) });
  return copy;
}

/**
 * A copy of a fixture service project whose node_modules is a symbolic link to a folder outside
 * it (a shared or cached install, as some CI setups and monorepo tools make), holding the e2e
 * package's packages.
 */
export async function copyOfProjectWithLinkedNodeModules(source: string): Promise<string> {
  const work = await tempDir('linked-project');
  const root = join(work, 'project');
  const elsewhere = join(work, 'store', 'node_modules');
  await cp(source, root, { recursive: true, filter: (path) => basename(path) !== 'node_modules' });
  await mkdir(elsewhere, { recursive: true });
  const shared = join(repoRoot, 'test', 'node_modules');
  for (const name of await readdir(shared)) if (name !== '.cache') await symlink(join(shared, name), join(elsewhere, name), 'dir');
  await symlink(elsewhere, join(root, 'node_modules'), 'dir');
  return root;
}

export interface ChildBuild {
  readonly errors: { text: string; location: unknown }[];
}

/** Builds in a fresh `node` process (support/build-service.mjs), optionally recording every module it loads. */
export async function buildInChild(
  config: { root: string; outdir: string; options?: Record<string, unknown> },
  loadLog?: string,
): Promise<ChildBuild> {
  const args = loadLog === undefined ? [] : ['--import', join(supportDir, 'record-loads.mjs')];
  const env = { ...process.env, HECATE_BUILD: JSON.stringify(config), ...(loadLog === undefined ? {} : { HECATE_LOAD_LOG: loadLog }) };
  try {
    const { stdout } = await run(process.execPath, [...args, join(supportDir, 'build-service.mjs')], { env });
    return JSON.parse(stdout) as ChildBuild;
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    if (stdout === undefined || stdout === '') throw error;
    return JSON.parse(stdout) as ChildBuild;
  }
}
