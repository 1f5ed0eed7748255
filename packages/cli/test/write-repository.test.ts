import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRepository } from '../src/scaffold/write-repository.js';

describe('writeRepository', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'hecate-cli-write-'));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  // `src` is written as a file, so `src/service.ts` cannot be: the write fails after the first file.
  const failingMidway = [
    { path: 'package.json', content: '{}\n' },
    { path: 'src', content: 'a file where a directory must go\n' },
    { path: 'src/service.ts', content: 'export {};\n' },
  ];

  it('leaves nothing behind when a write fails midway into an absent target', async () => {
    const target = join(parent, 'hecate-billing');
    await expect(writeRepository({ path: target, state: 'absent' }, failingMidway)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await readdir(parent)).toEqual([]);
  });

  it('leaves an empty target empty, and a forced one untouched, when a write fails midway', async () => {
    const empty = join(parent, 'empty');
    await mkdir(empty);
    await expect(writeRepository({ path: empty, state: 'empty' }, failingMidway)).rejects.toThrow();
    const forced = join(parent, 'forced');
    await mkdir(forced);
    await writeFile(join(forced, 'keep.txt'), 'mine\n');
    await expect(writeRepository({ path: forced, state: 'forced' }, failingMidway)).rejects.toThrow();
    expect(await readdir(parent, { recursive: true })).toEqual(['empty', 'forced', join('forced', 'keep.txt')]);
  });

  it('moves a complete repository into place', async () => {
    const target = join(parent, 'hecate-billing');
    await writeRepository({ path: target, state: 'absent' }, [
      { path: 'package.json', content: '{}\n' },
      { path: 'src/service.ts', content: 'export {};\n' },
    ]);
    expect((await readdir(parent, { recursive: true })).sort()).toEqual(['hecate-billing', 'hecate-billing/package.json', 'hecate-billing/src', 'hecate-billing/src/service.ts']);
  });
});
