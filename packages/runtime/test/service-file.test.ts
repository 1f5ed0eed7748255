import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceFile } from '../src/service-file.js';

describe('serviceFile', () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'hecate-service-file-'));
    await mkdir(join(project, 'src', 'deep'), { recursive: true });
    await writeFile(join(project, 'package.json'), '{}');
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('resolves against the nearest folder up that holds a package.json: the project from its sources', () => {
    expect(serviceFile(pathToFileURL(join(project, 'src', 'deep', 'service.ts')), 'sql/q.sql')).toBe(join(project, 'sql', 'q.sql'));
  });

  it('resolves against the release folder from main.js, which sits beside the release package.json', () => {
    expect(serviceFile(pathToFileURL(join(project, 'main.js')).href, 'prompts/a.txt')).toBe(join(project, 'prompts', 'a.txt'));
  });

  it('refuses a path that is absolute or leaves the root', () => {
    const from = pathToFileURL(join(project, 'main.js'));
    expect(() => serviceFile(from, '/etc/passwd')).toThrow('serviceFile(): "/etc/passwd" must be a path relative to the service root, inside it');
    expect(() => serviceFile(from, 'sql/../../x')).toThrow('serviceFile(): "sql/../../x" must be a path relative to the service root, inside it');
  });
});
