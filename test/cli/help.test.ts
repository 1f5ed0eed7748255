import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './support/cli.js';

describe('hecate-om --help', () => {
  it('lists every command', async () => {
    const result = await runCli(['--help'], { cwd: repoRoot });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/COMMANDS\n {2}inspect +Show the manifest and UCAN request a build would derive/);
    expect(result.stdout).toMatch(/\n {2}scaffold +Create the repository of a new hecate service\./);
    expect(result.stdout).toMatch(/\n {2}validate +Check a manifest\.json or ucan-request\.json against its schema\./);
  });

  it.each([
    ['inspect', ['[DIR]', '--service', '--registry', '--org', '--health-port', '--json', '$ hecate-om inspect --json']],
    ['validate', ['MANIFEST', '--json', '$ hecate-om validate dist/manifest.json']],
  ] as const)('answers `%s --help` with its arguments, flags and examples', async (command, expected) => {
    const result = await runCli([command, '--help'], { cwd: repoRoot });
    expect(result.status).toBe(0);
    for (const text of expected) expect(result.stdout).toContain(text);
  });

  it('refuses an unknown command with usage exit code 2', async () => {
    const result = await runCli(['deploy'], { cwd: repoRoot });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('command deploy not found');
  });
});
