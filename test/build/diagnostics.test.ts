import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmRollup from '@hecate-om/unplugin/rollup';
import hecateOmVite from '@hecate-om/unplugin/vite';
import { fixturesDir, sortedEntries, tempDir } from './support/builds.js';

const root = join(fixturesDir, 'broken-contract');
const service = join(root, 'src/service.ts');

/** The problems of fixtures/broken-contract, in the order the plugin reports them: what is wrong, and what to change. */
const PROBLEMS: { text: string; hint?: string; line: number; column: number }[] = [
  {
    text: 'BrokenService does not implement health()',
    hint: 'a hecate service implements start(), stop(), health(), capabilities(), identitySpec() and info()',
    line: 3,
    column: 21,
  },
  {
    text: 'capabilities()[0].name must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
    line: 7,
    column: 20,
  },
  {
    text: 'identitySpec().ttlDays is the call Number(process.env.TTL_DAYS) (src/service.ts:10:83)',
    hint: 'the manifest is derived at build time, so it must be a literal, a top-level const, an enum member or a template of those',
    line: 10,
    column: 82,
  },
  {
    text: `info().version is "9.9.9" but package.json's version is "1.0.0" (package.json:3:14)`,
    hint: "both name the same release, so return pkg.version (import pkg from '../package.json' with { type: 'json' }) or make them equal",
    line: 13,
    column: 47,
  },
];

describe('a contract with several problems', () => {
  const dirs: string[] = [];
  let lines: string[];
  beforeAll(async () => {
    lines = (await readFile(service, 'utf8')).split('\n');
  });
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('fails the esbuild build with every problem located in errors[], its hint as a note, and emits nothing', async () => {
    const outdir = await tempDir('broken-esbuild');
    dirs.push(outdir);
    const failure = await esbuild({ absWorkingDir: root, outdir, logLevel: 'silent', plugins: [hecateOmEsbuild({ cacheDir: join(outdir, '.cache') })] }).then(
      () => undefined,
      (error: { errors: unknown[] }) => error,
    );
    expect(failure?.errors).toEqual(
      PROBLEMS.map(({ text, hint, line, column }) =>
        expect.objectContaining({
          text,
          pluginName: 'hecate-om',
          location: expect.objectContaining({ file: 'src/service.ts', line, column, lineText: lines[line - 1] }),
          notes: hint === undefined ? [] : [expect.objectContaining({ text: `hint: ${hint}` })],
        }),
      ),
    );
    expect(await sortedEntries(outdir)).toEqual([]);
    // The failure is the contract's: esbuild has nothing to warn about (no "watchFiles" without a "path").
    expect((failure as { warnings?: unknown[] } | undefined)?.warnings).toEqual([]);
  });

  it('fails the vite build with one message listing every problem as file:line:column, its hint on the next line', async () => {
    const outDir = await tempDir('broken-vite');
    dirs.push(outDir);
    const failure = await viteBuild({
      root,
      configFile: false,
      logLevel: 'silent',
      build: { outDir },
      plugins: [hecateOmVite({ cacheDir: join(outDir, '.cache') })],
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain(
      [
        `[hecate-om] the service contract has ${PROBLEMS.length} problems:`,
        ...PROBLEMS.flatMap(({ text, hint, line, column }) => [`  ${service}:${line}:${column + 1}: ${text}`, ...(hint === undefined ? [] : [`    hint: ${hint}`])]),
      ].join('\n'),
    );
    // What the CLI prints under the message: no frame of the plugin's own code (rolldown adds its own).
    expect(failure?.stack).not.toMatch(/report\.[jt]s|[/\\]index\.[jt]s|unplugin[/\\](?:dist|src)/);
  });

  it('fails the rollup build with the problems and no stack of the plugin', async () => {
    const failure = await rollup({
      input: [],
      onwarn: () => undefined,
      plugins: [hecateOmRollup({ root, cacheDir: join(await tempDir('broken-rollup'), '.cache') })],
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain(`[hecate-om] the service contract has ${PROBLEMS.length} problems:`);
    expect(failure?.stack).not.toMatch(/report\.[jt]s|index\.[jt]s|unplugin[/\\]dist|\n\s+at /);
  });
});

describe('a contract problem on a line with non-ASCII text before it', () => {
  it('gives esbuild the column in bytes, as esbuild counts, so the caret is under the value', async () => {
    const unicodeRoot = join(fixturesDir, 'build-unicode-contract');
    const outdir = await tempDir('unicode-esbuild');
    const failure = await esbuild({
      absWorkingDir: unicodeRoot,
      outdir,
      logLevel: 'silent',
      plugins: [hecateOmEsbuild({ cacheDir: join(outdir, '.cache') })],
    }).then(
      () => undefined,
      (error: { errors: unknown[] }) => error,
    );
    await rm(outdir, { recursive: true, force: true });
    const line = (await readFile(join(unicodeRoot, 'src/service.ts'), 'utf8')).split('\n')[16];
    // 'Unicode Contract' starts at UTF-16 index 50; É, ü and 🚀 take 4 bytes more in UTF-8.
    expect(failure?.errors).toEqual([
      expect.objectContaining({
        text: 'info().name must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
        location: expect.objectContaining({ file: 'src/service.ts', line: 17, column: 54, lineText: line }),
      }),
    ]);
  });
});
