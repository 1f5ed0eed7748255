import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentsOf, runCli, tempDir, treeOf } from './support/cli.js';

/** oclif wraps its own messages to the terminal's width behind ` ›   `: read them as one line. */
const oneLine = (text: string): string => text.replace(/ ›\s+/g, ' ').replace(/\s+/g, ' ').trim();

const good = ['--name', 'hecate-billing', '--description', 'Bills usage over the mesh'];
const withFlag = (flag: string, value: string): string[] => {
  const args = [...good];
  const index = args.indexOf(flag);
  if (index === -1) return [...args, flag, value];
  args[index + 1] = value;
  return args;
};

describe('hecate-om scaffold refuses bad input before writing anything', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await tempDir('refusals');
    await writeFile(join(cwd, 'notes.txt'), 'the user was here\n');
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  const refusals: ReadonlyArray<readonly [what: string, args: string[], line: string]> = [
    [
      'a name that is not kebab-case',
      withFlag('--name', 'Hecate_Billing'),
      '  --name: "Hecate_Billing" must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
    ],
    [
      'a name with a doubled hyphen',
      withFlag('--name', 'hecate--billing'),
      '  --name: "hecate--billing" must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
    ],
    [
      'a name longer than a DNS label',
      withFlag('--name', `h${'a'.repeat(63)}`),
      `  --name: "h${'a'.repeat(63)}" must be at most 63 characters (a DNS label)`,
    ],
    [
      'a description with a control character',
      withFlag('--description', 'Bills\u0007usage'),
      '  --description: "Bills\\u0007usage" must not contain control characters or line breaks',
    ],
    [
      'a description with a line break',
      withFlag('--description', 'Bills usage\nEnvironment=EVIL=1'),
      '  --description: "Bills usage\\nEnvironment=EVIL=1" must not contain control characters or line breaks',
    ],
    ['a description of zero-width characters only', withFlag('--description', '\u200B\u200D'), '  --description: "\u200B\u200D" must not be empty (it holds no visible character)'],
    [
      'a description with a bidi override',
      withFlag('--description', 'Bills \u202Eusage'),
      '  --description: "Bills \u202Eusage" must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069): they make text display otherwise than it reads',
    ],
    ['an empty description', withFlag('--description', ''), '  --description: "" must not be empty (it holds no visible character)'],
    ['a health port of 0', withFlag('--health-port', '0'), '  --health-port: 0 is out of range: a TCP port is 1 to 65535'],
    ['a health port above 65535', withFlag('--health-port', '65536'), '  --health-port: 65536 is out of range: a TCP port is 1 to 65535'],
    [
      'an org with capitals',
      withFlag('--org', 'Acme'),
      '  --org: "Acme" must be lowercase a-z and 0-9, separated by single . _ or - (at most 100 characters): it is a path component of the image reference and the npm scope of the package',
    ],
    [
      'an org with a slash',
      withFlag('--org', 'acme/team'),
      '  --org: "acme/team" must be lowercase a-z and 0-9, separated by single . _ or - (at most 100 characters): it is a path component of the image reference and the npm scope of the package',
    ],
    [
      'a registry without a dot or a port, which AutoUpdate=registry cannot use',
      withFlag('--registry', 'myregistry'),
      '  --registry: "myregistry" has no dot and no port, so podman takes myregistry/<org>/<name> for a short image name, which the Quadlet unit\'s AutoUpdate=registry refuses ("short name: auto updates require fully-qualified image reference") and the service never starts: use the registry\'s full host name (such as myregistry.example.com) or add its port (such as myregistry:5000)',
    ],
    [
      'a name whose unit would shadow a host unit',
      withFlag('--name', 'systemd-journald'),
      '  --name: "systemd-journald" is the name of a unit the host already runs (or of its family, such as systemd-*): the service\'s systemd unit would shadow it; choose another name',
    ],
    [
      'a registry given as a URL',
      withFlag('--registry', 'https://registry.example.com'),
      '  --registry: "https://registry.example.com" must be a registry host such as ghcr.io or registry.example.com:5000 (lowercase, no scheme, no path)',
    ],
    [
      'a registry with a path',
      withFlag('--registry', 'registry.example.com/acme'),
      '  --registry: "registry.example.com/acme" must be a registry host such as ghcr.io or registry.example.com:5000 (lowercase, no scheme, no path)',
    ],
  ];

  it.each(refusals)('refuses %s, naming the flag, and writes nothing', async (_what, args, line) => {
    const before = await contentsOf(cwd);
    const result = await runCli(['scaffold', ...args], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')).toEqual(['Error: scaffold: nothing was written:', line, '']);
    expect(result.stdout).toBe('');
    expect(await contentsOf(cwd)).toEqual(before);
  });

  it('reports every refused flag at once', async () => {
    const result = await runCli(
      ['scaffold', '--name', 'Billing', '--description', '', '--org', 'Acme', '--registry', 'https://x', '--health-port', '0'],
      { cwd },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n').slice(1, -1).map((line) => line.split(':')[0])).toEqual([
      '  --name',
      '  --description',
      '  --org',
      '  --registry',
      '  --health-port',
    ]);
    expect(await treeOf(cwd)).toEqual(['notes.txt']);
  });

  it('refuses a non-empty target directory without --force and leaves it as it was', async () => {
    const target = join(cwd, 'hecate-billing');
    await mkdir(target);
    await writeFile(join(target, 'package.json'), '{"name":"mine"}\n');
    const before = await contentsOf(cwd);
    const result = await runCli(['scaffold', ...good], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `Error: scaffold: nothing was written:\n  --dir: ${target} is not empty (1 entry): choose another --dir, or pass --force to write the generated files over it\n`,
    );
    expect(await contentsOf(cwd)).toEqual(before);
  });

  it('refuses a --dir that is a file, and one whose parent does not exist', async () => {
    const file = join(cwd, 'notes.txt');
    const onFile = await runCli(['scaffold', ...good, '--dir', file], { cwd });
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toContain(`  --dir: ${file} exists and is not a directory\n`);
    const orphan = join(cwd, 'missing', 'hecate-billing');
    const underMissing = await runCli(['scaffold', ...good, '--dir', orphan], { cwd });
    expect(underMissing.status).toBe(2);
    expect(underMissing.stderr).toContain(`  --dir: ${join(cwd, 'missing')}, the parent of ${orphan}, is not an existing directory: create it first\n`);
    expect(await treeOf(cwd)).toEqual(['notes.txt']);
  });

  it('refuses a --dir under a file as a usage error naming the file, not a crash', async () => {
    const file = join(cwd, 'notes.txt');
    const underFile = join(file, 'hecate-billing');
    const result = await runCli(['scaffold', ...good, '--dir', underFile], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `Error: scaffold: nothing was written:\n  --dir: ${file}, the parent of ${underFile}, is not an existing directory: create it first\n`,
    );
    expect(await treeOf(cwd)).toEqual(['notes.txt']);
  });

  it('refuses --force when a generated file would replace a directory or go under a file, leaving the directory as it was', async () => {
    const target = join(cwd, 'hecate-billing');
    await mkdir(join(target, 'README.md'), { recursive: true });
    await writeFile(join(target, 'README.md', 'notes.md'), 'keep me\n');
    await writeFile(join(target, 'package.json'), '{"name":"mine"}\n');
    await writeFile(join(target, 'src'), 'a file, not a directory\n');
    const before = await contentsOf(cwd);
    const result = await runCli(['scaffold', ...good, '--force'], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      [
        'Error: scaffold: nothing was written:',
        `  --force: ${join(target, 'README.md')} is a directory: the generated file README.md cannot replace it`,
        `  --force: ${join(target, 'src')} is a file: the generated files under src/ need a directory there`,
        '',
      ].join('\n'),
    );
    expect(await contentsOf(cwd)).toEqual(before);
  });

  it('refuses --force when a generated file would go through a symbolic link, writing nothing where it points', async () => {
    const target = join(cwd, 'hecate-billing');
    const outside = join(cwd, 'outside');
    await mkdir(target);
    await mkdir(outside);
    await writeFile(join(outside, 'service.ts'), 'the user\'s own file\n');
    await symlink(outside, join(target, 'src'));
    const before = await contentsOf(outside);
    const result = await runCli(['scaffold', ...good, '--force'], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      [
        'Error: scaffold: nothing was written:',
        `  --force: ${join(target, 'src')} is a symbolic link: the generated files under src/ would be written where it points, outside ${target}`,
        '',
      ].join('\n'),
    );
    expect(await contentsOf(outside)).toEqual(before);
    expect(await treeOf(target)).toEqual(['src']);
  });

  it('refuses a --dir that is a dangling symbolic link, naming where it points', async () => {
    const link = join(cwd, 'hecate-billing');
    await symlink(join(cwd, 'gone'), link);
    const result = await runCli(['scaffold', ...good, '--dir', link], { cwd });
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `Error: scaffold: nothing was written:\n  --dir: ${link} is a symbolic link to ${join(cwd, 'gone')}, which does not exist\n    hint: create that directory, or choose another --dir\n`,
    });
    expect(await treeOf(cwd)).toEqual(['hecate-billing', 'notes.txt']);
  });

  it('refuses a port that is not a number, a missing required flag and an unknown flag, with usage exit code 2', async () => {
    const notANumber = await runCli(['scaffold', ...withFlag('--health-port', 'http')], { cwd });
    expect([notANumber.status, oneLine(notANumber.stderr)]).toEqual([2, expect.stringContaining('Parsing --health-port Expected an integer but received: http')]);
    const noName = await runCli(['scaffold', '--description', 'Bills usage'], { cwd });
    expect([noName.status, oneLine(noName.stderr)]).toEqual([2, expect.stringContaining('Missing required flag name')]);
    const unknown = await runCli(['scaffold', ...good, '--colour'], { cwd });
    expect([unknown.status, oneLine(unknown.stderr)]).toEqual([2, expect.stringContaining('Nonexistent flag: --colour')]);
    expect(await treeOf(cwd)).toEqual(['notes.txt']);
  });

  it('reports a refusal as JSON with every problem under --json, still exiting 2', async () => {
    const result = await runCli(['scaffold', ...withFlag('--health-port', '70000'), '--json'], { cwd });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message: 'nothing was written:\n  --health-port: 70000 is out of range: a TCP port is 1 to 65535',
        exitCode: 2,
        problems: [{ flag: '--health-port', message: '70000 is out of range: a TCP port is 1 to 65535' }],
      },
    });
    expect(await treeOf(cwd)).toEqual(['notes.txt']);
  });
});
