import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs, copyOfProject, fixturesDir, run, supportDir } from './support/builds.js';

const EXTERNAL = 'not-installed-anywhere';
const WARNING = `external "${EXTERNAL}" names no installed production dependency of the service`;

/** Builds the fixture through esbuild's `api` in a child process: its stderr is the terminal's log. */
async function buildLogged(root: string, outdir: string, api: 'build' | 'context', logLevel?: string): Promise<{ stderr: string; warnings: string[] }> {
  const config = { root, outdir, options: { cacheDir: join(root, '.cache') }, external: [EXTERNAL], logLevel, api };
  const { stdout, stderr } = await run(process.execPath, [join(supportDir, 'esbuild-log.mjs')], { env: { ...process.env, HECATE_BUILD: JSON.stringify(config), NO_COLOR: '1' } });
  return { stderr, warnings: JSON.parse(stdout) as string[] };
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

describe("the plugin's warnings under esbuild", () => {
  const temp = new TempDirs();
  let root: string;

  beforeAll(async () => {
    root = await copyOfProject(join(fixturesDir, 'release-service'));
  });
  afterAll(() => Promise.all([temp.removeAll(), rm(root, { recursive: true, force: true })]));

  // esbuild prints what onEnd returns under a context only: build() wrote its log before.
  it('are printed once by build() at its default log level, and are in result.warnings', { timeout: 120_000 }, async () => {
    const { stderr, warnings } = await buildLogged(root, await temp.make('warn-build'), 'build');
    expect(occurrences(stderr, `[WARNING] ${WARNING}`)).toBe(1);
    // esbuild names the plugin itself, after the text: the text does not name it again.
    const line = stderr.split('\n').find((candidate) => candidate.includes(WARNING));
    expect([line?.endsWith('[plugin hecate-om]'), occurrences(line ?? '', 'hecate-om')]).toEqual([true, 1]);
    expect(warnings).toEqual([expect.stringContaining(WARNING)]);
  });

  it('are printed once under a context (watch mode, rebuild), not twice', { timeout: 120_000 }, async () => {
    const { stderr, warnings } = await buildLogged(root, await temp.make('warn-context'), 'context');
    expect(occurrences(stderr, `[WARNING] ${WARNING}`)).toBe(1);
    expect(warnings).toEqual([expect.stringContaining(WARNING)]);
  });

  it('are not printed at a log level that hides warnings, and are still in result.warnings', { timeout: 120_000 }, async () => {
    const { stderr, warnings } = await buildLogged(root, await temp.make('warn-silent'), 'build', 'error');
    expect(stderr).toBe('');
    expect(warnings).toEqual([expect.stringContaining(WARNING)]);
  });
});
