import { describe, expect, it } from 'vitest';
import { analyzeFixture, diagnosticsOf, fixtureFile } from './analyze-fixture.js';

const service = (fixture: string): string => fixtureFile(fixture, 'src/service.ts');

describe('analyzeService: contract rules', () => {
  it.each([
    {
      fixture: 'bad-name',
      message:
        'info().name must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
      line: 24,
      column: 19,
    },
    {
      fixture: 'bad-semver',
      message: 'info().version must be a semantic version such as 1.2.3 or 1.2.3-rc.1 (no +build metadata: it cannot be an image tag)',
      line: 24,
      column: 43,
    },
    {
      fixture: 'bad-capability-name',
      message: 'capabilities()[0].name must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
      line: 16,
      column: 20,
    },
    { fixture: 'capability-version-zero', message: 'capabilities()[0].version must be a positive integer', line: 16, column: 41 },
    {
      fixture: 'duplicate-capability',
      message: 'capabilities()[1] duplicates capability echo.say version 1 (already at index 0)',
      line: 18,
      column: 6,
    },
    { fixture: 'ttl-days-out-of-range', message: 'identitySpec().ttlDays must be at most 365 days', line: 20, column: 87 },
    {
      fixture: 'control-character-in-description',
      message: 'info().description must not contain control characters or line breaks',
      line: 24,
      column: 69,
    },
  ])('fails with a diagnostic at the offending value: $fixture', async ({ fixture, message, line, column }) => {
    expect(await diagnosticsOf(fixture)).toEqual([{ code: 'rule-violation', message, file: service(fixture), line, column }]);
  });

  it('derives an Erlang hecate-om contract one to one: hyphenated capability names, resources outside the scope', async () => {
    const result = await analyzeFixture('erlang-parity');
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(result.manifest.capabilities).toEqual([{ name: 'hecate-rag.answer_query', version: 1 }]);
    expect(result.ucanRequest.cap).toEqual({
      'hecate://corpora/*': { 'hecate-rag/read': [{}] },
      'hecate://hecate-rag/*': { 'hecate-rag/read': [{}] },
    });
  });

  it('fails with a diagnostic at a key the contract does not define', async () => {
    expect(await diagnosticsOf('unknown-key')).toEqual([
      {
        code: 'rule-violation',
        message: 'info() has the key "author", which the contract does not define',
        hint: 'remove it',
        file: service('unknown-key'),
        line: 24,
        column: 101,
      },
    ]);
  });

  it('reports a rule broken by a package.json value at that value in package.json', async () => {
    expect(await diagnosticsOf('package-version-not-semver')).toEqual([
      {
        code: 'rule-violation',
        message: 'info().version must be a semantic version such as 1.2.3 or 1.2.3-rc.1 (no +build metadata: it cannot be an image tag)',
        file: fixtureFile('package-version-not-semver', 'package.json'),
        line: 3,
        column: 13,
      },
    ]);
  });

  it('fails with a diagnostic at info().version when it differs from package.json', async () => {
    expect(await diagnosticsOf('version-mismatch')).toEqual([
      {
        code: 'version-mismatch',
        message: 'info().version is "0.2.0" but package.json\'s version is "0.1.0" (package.json:3:14)',
        hint: "both name the same release, so return pkg.version (import pkg from '../package.json' with { type: 'json' }) or make them equal",
        file: service('version-mismatch'),
        line: 24,
        column: 43,
      },
    ]);
  });

  it('reports every problem at once, each where its value is written, in reading order', async () => {
    const file = service('several-problems');
    expect(await diagnosticsOf('several-problems')).toEqual([
      {
        code: 'rule-violation',
        message: 'identitySpec().ttlDays must be at least 1 day',
        file: fixtureFile('several-problems', 'src/limits.ts'),
        line: 1,
        column: 24,
      },
      {
        code: 'missing-member',
        message: 'EchoService does not implement stop()',
        hint: 'a hecate service implements start(), stop(), health(), capabilities(), identitySpec() and info()',
        file,
        line: 6,
        column: 21,
      },
      {
        code: 'not-a-method',
        message: "EchoService.health is a property holding 'ok', not a method",
        hint: "hecate-om calls health(), so declare it as health() { ... } or assign it an arrow function",
        file,
        line: 8,
        column: 2,
      },
      {
        code: 'rule-violation',
        message: 'capabilities()[0].name must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
        file,
        line: 10,
        column: 20,
      },
      { code: 'rule-violation', message: 'capabilities()[0].version must be a whole number', file, line: 10, column: 37 },
      {
        code: 'not-static',
        message: 'identitySpec().scope is scope, a let binding (src/service.ts:13:14)',
        hint: 'the manifest is derived at build time, so it must be a literal, a top-level const, an enum member or a template of those',
        file,
        line: 13,
        column: 13,
      },
      {
        code: 'rule-violation',
        message: 'identitySpec().actions[0] must start with a-z and hold only a-z, 0-9 and _ (at most 63 characters)',
        file,
        line: 13,
        column: 30,
      },
      {
        code: 'not-static',
        message: "info().version is process.env.VERSION (src/service.ts:16:44)",
        hint: "the manifest is derived at build time, so it must be a literal, a top-level const, an enum member, a template of those, or package.json's version",
        file,
        line: 16,
        column: 43,
      },
      { code: 'rule-violation', message: 'info().description must not be empty (it holds no visible character)', file, line: 16, column: 77 },
    ]);
  });
});

describe('analyzeService: deployment facts', () => {
  it('fails with a diagnostic at package.json license when it is not an SPDX expression', async () => {
    expect(await diagnosticsOf('bad-license')).toEqual([
      {
        code: 'deployment-violation',
        message:
          'the manifest\'s license "Apache-2.0 <script>" (from package.json\'s license) must be an SPDX license expression such as Apache-2.0',
        file: fixtureFile('bad-license', 'package.json'),
        line: 6,
        column: 13,
      },
    ]);
  });

  it('fails with a diagnostic naming the options when the registry makes no image reference', async () => {
    expect(await diagnosticsOf('complete', { registry: 'GHCR.io/' })).toEqual([
      {
        code: 'deployment-violation',
        message:
          'the manifest\'s image "GHCR.io//acme/hecate-echo:0.1.0" (from the registry option "GHCR.io/", the org option "acme", info().name and info().version) must be an OCI image reference registry/org/name:tag',
        file: fixtureFile('complete', 'package.json'),
        line: 1,
        column: 0,
      },
    ]);
  });

  it('fails with diagnostics naming the health port option and the runtime dependency when they break their rules', async () => {
    expect(await diagnosticsOf('complete', { healthPort: 70_000, runtimeVersion: 'latest' })).toEqual([
      {
        code: 'deployment-violation',
        message: "the manifest's health.port 70000 (from the healthPort option): Too big: expected number to be <=65535",
        file: fixtureFile('complete', 'package.json'),
        line: 1,
        column: 0,
      },
      {
        code: 'deployment-violation',
        message:
          'the manifest\'s runtime.hecateOm "latest" (from the version of @hecate-om/runtime the service depends on) must be a semantic version such as 1.2.3 or 1.2.3-rc.1 (no +build metadata: it cannot be an image tag)',
        file: fixtureFile('complete', 'package.json'),
        line: 8,
        column: 18,
      },
    ]);
  });

  it('fails with a diagnostic at package.json when it has no version', async () => {
    expect(await diagnosticsOf('no-package-version')).toEqual([
      {
        code: 'bad-package-json',
        message: 'package.json has no "version" string',
        hint: 'info().version must equal it, so add one such as "version": "0.1.0"',
        file: fixtureFile('no-package-version', 'package.json'),
        line: 1,
        column: 0,
      },
      {
        code: 'not-static',
        message: "info().version is pkg.version, but pkg has no property version (src/service.ts:24:44)",
        hint: "the manifest is derived at build time, so it must be a literal, a top-level const, an enum member, a template of those, or package.json's version",
        file: service('no-package-version'),
        line: 24,
        column: 43,
      },
    ]);
  });

  it('defaults the license to UNLICENSED and leaves out the source when package.json names neither', async () => {
    const result = await analyzeFixture('arrow-members');
    expect(result.ok && result.manifest.license).toBe('UNLICENSED');
    expect(result.ok && 'source' in result.manifest).toBe(false);
  });
});
