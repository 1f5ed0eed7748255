import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutNodeModules } from '../src/core/dependencies/node-modules-layout.js';
import type { InstalledPackage, PackageGraph } from '../src/core/dependencies/package-graph.js';
import { readPackageGraph } from '../src/core/dependencies/package-graph.js';
import { addonNeedOf, describeAbis, requiredNodeAbis } from '../src/core/dependencies/addon-abi.js';
import { readElfSymbols } from '../src/core/dependencies/elf-symbols.js';
import { type NativePlatform, imagePlatform, nodeImageCheck, platformMismatch } from '../src/core/dependencies/platform.js';
import { FileDigests } from '../src/core/dependencies/file-digests.js';
import { ReleaseDependencies } from '../src/core/dependencies/release-dependencies.js';
import { ESM_REQUIRE_BANNER, withEsmRequire } from '../src/core/esm-require.js';
import { OUTPUTS_INDEX_FILE, outputsIndexJson, removeStaleOutputs } from '../src/core/outputs-index.js';
import { relocateSourceMap } from '../src/core/release-files.js';

/** A graph from `name@version: [dependency@version, ...]`, each package in its own pretend store folder. */
function graphOf(roots: string[], edges: Record<string, string[]>): PackageGraph {
  const dirOf = (id: string): string => `/store/${id}`;
  const packages = new Map<string, InstalledPackage>();
  for (const [id, dependencies] of Object.entries(edges)) {
    const [name, version] = id.split('@') as [string, string];
    packages.set(dirOf(id), {
      name,
      version,
      dir: dirOf(id),
      packageJson: { name, version },
      dependencies: new Map(dependencies.map((dependency) => [dependency.split('@')[0]!, dirOf(dependency)])),
    });
  }
  return { roots: new Map(roots.map((id) => [id.split('@')[0]!, dirOf(id)])), packages, missing: [] };
}

describe('layoutNodeModules', () => {
  it('hoists what does not conflict and nests a second version under the package that needs it', () => {
    const graph = graphOf(['a@1.0.0', 'b@1.0.0'], {
      'a@1.0.0': ['c@1.0.0'],
      'b@1.0.0': ['c@2.0.0', 'd@1.0.0'],
      'c@1.0.0': [],
      'c@2.0.0': ['d@1.0.0'],
      'd@1.0.0': [],
    });
    const layout = layoutNodeModules(graph, ['/store/b@1.0.0', '/store/a@1.0.0']).map(({ path, pkg }) => `${path} ${pkg.version}`);
    expect(layout).toEqual([
      'node_modules/a 1.0.0',
      'node_modules/b 1.0.0',
      'node_modules/b/node_modules/c 2.0.0',
      'node_modules/c 1.0.0',
      'node_modules/d 1.0.0',
    ]);
  });

  it('gives the same layout whatever order the roots come in', () => {
    const graph = graphOf(['x@1.0.0', 'y@1.0.0'], { 'x@1.0.0': ['z@1.0.0'], 'y@1.0.0': ['z@2.0.0'], 'z@1.0.0': [], 'z@2.0.0': [] });
    const a = layoutNodeModules(graph, ['/store/x@1.0.0', '/store/y@1.0.0']);
    const b = layoutNodeModules(graph, ['/store/y@1.0.0', '/store/x@1.0.0']);
    expect(b).toEqual(a);
    expect(a.map(({ path }) => path)).toEqual(['node_modules/x', 'node_modules/y', 'node_modules/y/node_modules/z', 'node_modules/z']);
  });

  it('survives a dependency cycle', () => {
    const graph = graphOf(['p@1.0.0'], { 'p@1.0.0': ['q@1.0.0'], 'q@1.0.0': ['p@1.0.0'] });
    expect(layoutNodeModules(graph, ['/store/p@1.0.0']).map(({ path }) => path)).toEqual(['node_modules/p', 'node_modules/q']);
  });
});

describe('reading the installed production closure', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hecate-graph-'));
    const write = async (path: string, json: object): Promise<void> => {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), JSON.stringify(json));
    };
    await write('package.json', { name: 'svc', dependencies: { addon: '1', plain: '1' }, devDependencies: { tool: '1' } });
    await write('node_modules/addon/package.json', { name: 'addon', version: '1.2.3', dependencies: { 'node-gyp-build': '4' } });
    await write('node_modules/node-gyp-build/package.json', { name: 'node-gyp-build', version: '4.8.0' });
    await write('node_modules/plain/package.json', { name: 'plain', version: '2.0.0', optionalDependencies: { 'not-here': '1' } });
    await write('node_modules/tool/package.json', { name: 'tool', version: '9.0.0', gypfile: true });
    await mkdir(join(root, 'node_modules/prebuilt/prebuilds/linux-x64'), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('follows dependencies, not devDependencies, and notes an optional one that is not installed', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as object;
    const graph = readPackageGraph(root, manifest);
    expect([...graph.packages.values()].map(({ name, version }) => `${name}@${version}`).sort()).toEqual(['addon@1.2.3', 'node-gyp-build@4.8.0', 'plain@2.0.0']);
    expect(graph.missing).toEqual([{ from: 'plain@2.0.0', name: 'not-here', optional: true }]);
  });

  it('finds a package native by its addon loader, keeps it out of the bundle and ships it with its closure', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as object;
    const dependencies = new ReleaseDependencies(readPackageGraph(root, manifest), undefined, new FileDigests(join(root, '.cache/digests.json')));
    expect(dependencies.native).toEqual([{ name: 'addon', version: '1.2.3', reason: 'it depends on node-gyp-build' }]);
    expect(dependencies.externalNames).toEqual(['addon']);
    const shipped = dependencies.ship({ patterns: ['plain', 'node:fs', './local.js', 'missing-one'], allPackages: false, imports: [] });
    expect(shipped.dependencies).toEqual({ addon: '1.2.3', plain: '2.0.0' });
    expect(shipped.files.map(({ path }) => path)).toEqual([
      'node_modules/addon/package.json',
      'node_modules/node-gyp-build/package.json',
      'node_modules/plain/package.json',
    ]);
    expect(shipped.warnings).toEqual([
      'external "missing-one" names no installed production dependency of the service: the release will not have it, so importing it fails at run time unless the service guards the import (move it to "dependencies", or bundle it)',
    ]);
  });

  it('ships each installed package the finished bundle imports, and says nothing of an optional one that is not installed', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as object;
    const dependencies = new ReleaseDependencies(readPackageGraph(root, manifest), undefined, new FileDigests(join(root, '.cache/imports-digests.json')));
    const shipped = dependencies.ship({ patterns: [], allPackages: false, imports: ['plain/lib/x.js', 'pg-native'] });
    expect(shipped.dependencies).toEqual({ addon: '1.2.3', plain: '2.0.0' });
    expect(shipped.warnings).toEqual([]);
  });
});

describe('the digests of shipped package files', () => {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hecate-digests-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers from the saved digests while size and mtime are unchanged, without reading the file, and hashes it again when they change', async () => {
    const file = join(dir, 'index.js');
    const digestsFile = join(dir, 'cache', 'digests.json');
    // A whole-second mtime, which utimes can set back exactly.
    const mtime = new Date(1_700_000_000_000);
    await writeFile(file, 'aaaa');
    await utimes(file, mtime, mtime);
    const first = new FileDigests(digestsFile);
    expect(first.digestOf(file)).toBe(sha256('aaaa'));
    first.save();
    // Same size, same mtime, other bytes: a digest read from the file would differ.
    await writeFile(file, 'bbbb');
    await utimes(file, mtime, mtime);
    expect(new FileDigests(digestsFile).digestOf(file)).toBe(sha256('aaaa'));
    await utimes(file, mtime, new Date(mtime.getTime() + 2000));
    const touched = new FileDigests(digestsFile);
    expect(touched.digestOf(file)).toBe(sha256('bbbb'));
    touched.save();
    expect(new FileDigests(digestsFile).digestOf(file)).toBe(sha256('bbbb'));
  });

  it('reads the digests as untrusted input: an entry of the wrong shape, or a digests file that is a link, is hashed again', async () => {
    const file = join(dir, 'untrusted.js');
    await writeFile(file, 'real');
    const { size, mtimeMs } = await stat(file);
    const forged = { format: 1, files: { [file]: [size, mtimeMs, 'not-a-sha256'] } };
    const digestsFile = join(dir, 'forged.json');
    await writeFile(digestsFile, JSON.stringify(forged));
    expect(new FileDigests(digestsFile).digestOf(file)).toBe(sha256('real'));
    const elsewhere = join(dir, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify({ format: 1, files: { [file]: [size, mtimeMs, sha256('forged')] } }));
    const linked = join(dir, 'linked.json');
    await symlink(elsewhere, linked);
    expect(new FileDigests(linked).digestOf(file)).toBe(sha256('real'));
  });

  it('keeps only the files of the latest build', async () => {
    const [kept, dropped] = [join(dir, 'kept.js'), join(dir, 'dropped.js')];
    await writeFile(kept, 'kept');
    await writeFile(dropped, 'dropped');
    const digestsFile = join(dir, 'latest', 'digests.json');
    const both = new FileDigests(digestsFile);
    both.digestOf(kept);
    both.digestOf(dropped);
    both.save();
    const one = new FileDigests(digestsFile);
    one.digestOf(kept);
    one.save();
    const saved = JSON.parse(await readFile(digestsFile, 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(saved.files)).toEqual([kept]);
  });
});

describe('the platform of native code and of the base image', () => {
  it.each([
    ['docker.io/library/node:24-slim', { libc: 'glibc', nodeMajor: 24 }],
    ['node:24-alpine', { libc: 'musl', nodeMajor: 24 }],
    ['docker.io/arm64v8/node:22-bookworm', { libc: 'glibc', cpu: 'arm64', nodeMajor: 22 }],
    ['mirror.gcr.io/library/node:20.19.5-bookworm-slim@sha256:' + '0'.repeat(64), { libc: 'glibc', nodeMajor: 20 }],
    ['node:iron-slim', { libc: 'glibc', nodeMajor: 20 }],
    ['node:lts-slim', { libc: 'glibc' }],
    ['docker.io/library/node@sha256:' + '0'.repeat(64), { libc: 'glibc' }],
    ['registry.example.com/acme/base:1@sha256:' + '0'.repeat(64), {}],
    ['registry.example.com/acme/node-base:24', {}],
  ])('tells of %s what it can', (image, expected) => {
    expect(imagePlatform(image)).toEqual(expected);
  });

  it('warns of a C library or a CPU the base image does not have, and of nothing else', () => {
    const built = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;
    expect(platformMismatch(built, 'docker.io/library/node:24-slim', ['better-sqlite3'])).toBeUndefined();
    expect(platformMismatch(built, 'docker.io/arm64v8/node:24-slim', ['better-sqlite3'])).toBe(
      'the release ships native code (better-sqlite3) compiled for x64, but the base image docker.io/arm64v8/node:24-slim is for arm64: build on arm64 or choose a base image for x64 (the baseImage option)',
    );
    expect(platformMismatch({ os: 'darwin', cpu: 'arm64' }, 'node:24-slim', ['sharp'])).toBe(
      "the release ships native code (sharp) built for darwin-arm64, but the Containerfile's base image node:24-slim runs Linux: build the release on Linux (in a container of the base image, or in CI)",
    );
  });
});

describe('the Node ABI of native addons', () => {
  const build = { abi: 115, cpu: 'x64' };
  const better: NativePlatform = { os: 'linux', cpu: 'x64', libc: 'glibc', nodeAbi: [115], nodeMajors: [20] };

  it('reads the ABI better-sqlite3 was compiled for from its addon, not from the Node running the build', () => {
    const installed = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'release-dependencies', 'node_modules', 'better-sqlite3');
    // The fixture was installed by this Node; the build's ABI given here is another, and is not used.
    expect(addonNeedOf(installed, { abi: 1, cpu: process.arch })).toEqual({ kind: 'abi', abis: [Number(process.versions.modules)] });
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('takes a Node-API addon (rollup\'s napi-rs binding) to load under any Node', () => {
    const require = createRequire(createRequire(import.meta.url).resolve('rollup'));
    const binding = dirname(require.resolve('@rollup/rollup-linux-x64-gnu/package.json'));
    expect(addonNeedOf(binding, build)).toEqual({ kind: 'any' });
    expect(addonNeedOf(binding, { abi: 115, cpu: 'arm64' })).toEqual({ kind: 'any' });
  });

  it('reads nothing past the end of a truncated or foreign file', async () => {
    const installed = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'release-dependencies', 'node_modules', 'better-sqlite3');
    const addon = await readFile(join(installed, 'build', 'Release', 'better_sqlite3.node'));
    expect(readElfSymbols(addon)?.defined.has(`node_register_module_v${process.versions.modules}`)).toBe(true);
    expect(readElfSymbols(addon.subarray(0, 4096))).toBeUndefined();
    expect(readElfSymbols(Buffer.from('#!/bin/sh\necho not an addon\n'.repeat(4)))).toBeUndefined();
  });

  it('keeps the ABIs every package loads under, and names each when there is none', () => {
    expect(requiredNodeAbis([{ name: 'sharp', need: { kind: 'any' } }])).toEqual({ ok: true, abis: undefined });
    expect(
      requiredNodeAbis([
        { name: 'better-sqlite3', need: { kind: 'abi', abis: [115] } },
        { name: 'leveldown', need: { kind: 'abi', abis: [115, 127, 137] } },
        { name: 'sharp', need: { kind: 'any' } },
      ]),
    ).toEqual({ ok: true, abis: [115] });
    expect(
      requiredNodeAbis([
        { name: 'better-sqlite3', need: { kind: 'abi', abis: [115] } },
        { name: 'bcrypt', need: { kind: 'abi', abis: [137] } },
      ]),
    ).toEqual({
      ok: false,
      message: "the release's native addons were built for different Nodes (better-sqlite3 for Node 20 (ABI 115), bcrypt for Node 24 (ABI 137)), and one process loads only one ABI",
    });
    expect(describeAbis([115, 127])).toBe('Node 20 or 22 (ABI 115 or 127)');
    expect(describeAbis([9999])).toBe('Node ABI 9999');
  });

  it('refuses a base image of another Node, naming both and what to change', () => {
    expect(nodeImageCheck(better, 'docker.io/library/node:24-slim', ['better-sqlite3'])).toEqual({
      kind: 'refuse',
      message: 'the release ships native addons (better-sqlite3) built for Node 20 (ABI 115), but the base image docker.io/library/node:24-slim runs Node 24 (ABI 137), where they cannot load',
      hint: 'install the dependencies under Node 24 (or run `npm rebuild better-sqlite3` with it) before building, or set the baseImage option to docker.io/library/node:20-slim',
    });
    expect(nodeImageCheck(better, 'registry.example.com:5000/mirror/node:krypton-alpine@sha256:' + '0'.repeat(64), ['better-sqlite3'])).toMatchObject({
      kind: 'refuse',
      hint: 'install the dependencies under Node 24 (or run `npm rebuild better-sqlite3` with it) before building, or set the baseImage option to registry.example.com:5000/mirror/node:20-alpine',
    });
  });

  it('lets a base image of the same Node, or any image for Node-API addons, through', () => {
    expect(nodeImageCheck(better, 'docker.io/library/node:20.19.5-bookworm-slim', ['better-sqlite3'])).toEqual({ kind: 'fits' });
    expect(nodeImageCheck({ os: 'linux', cpu: 'x64', libc: 'glibc' }, 'docker.io/library/node:24-slim', [])).toEqual({ kind: 'fits' });
  });

  it('warns, without guessing, of an image whose Node it cannot tell', () => {
    expect(nodeImageCheck(better, 'registry.example.com/acme/runtime:3', ['better-sqlite3'])).toEqual({
      kind: 'warn',
      message:
        'the release ships native addons (better-sqlite3) built for Node 20 (ABI 115), and the base image registry.example.com/acme/runtime:3 cannot be checked (it is not an official node image whose tag names a Node major): it must run Node 20 (ABI 115) for them to load (the release checks at boot), as docker.io/library/node:20-slim does',
    });
    expect(nodeImageCheck(better, 'docker.io/library/node:lts-slim', ['better-sqlite3'])).toMatchObject({ kind: 'warn' });
  });
});

describe('the require() banner', () => {
  it('comes first, before the config banner', () => {
    expect(withEsmRequire(undefined)).toBe(ESM_REQUIRE_BANNER);
    expect(withEsmRequire('// (c) acme')).toBe(`${ESM_REQUIRE_BANNER}\n// (c) acme`);
  });

  it("leaves a config banner that declares require alone: a second declaration would not parse", () => {
    const banner = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
    expect(withEsmRequire(banner)).toBe(banner);
  });
});

describe('relocateSourceMap', () => {
  it('makes every source relative to the service root, whatever folder the bundle was written to', () => {
    const map = JSON.stringify({ version: 3, sources: ['../../../home/dev/svc/src/service.ts', '../../../home/dev/svc/node_modules/x/index.js'], mappings: 'AAAA' });
    expect(JSON.parse(relocateSourceMap(map, '/tmp/build-1/dist', '/home/dev/svc'))).toEqual({
      version: 3,
      sources: ['src/service.ts', 'node_modules/x/index.js'],
      mappings: 'AAAA',
    });
  });
});

describe('the outputs index', () => {
  it('removes what the last build listed and this one does not write, and nothing it did not list', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'hecate-outputs-'));
    for (const name of ['svc-1.0.0.tar.gz', 'svc.container', 'user-file.txt', 'main.js']) await writeFile(join(outdir, name), name);
    await writeFile(join(outdir, OUTPUTS_INDEX_FILE), outputsIndexJson(['svc-1.0.0.tar.gz', 'svc.container', '../outside', '/etc/passwd']));
    expect(removeStaleOutputs(outdir, ['svc-1.1.0.tar.gz', 'svc.container'])).toEqual(['svc-1.0.0.tar.gz']);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(outdir)).sort()).toEqual([OUTPUTS_INDEX_FILE, 'main.js', 'svc.container', 'user-file.txt']);
    await rm(outdir, { recursive: true, force: true });
  });
});
