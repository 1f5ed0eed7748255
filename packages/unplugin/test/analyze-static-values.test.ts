import { describe, expect, it } from 'vitest';
import { analyzeFixture, diagnosticsOf, fixtureFile } from './analyze-fixture.js';

const BUILD_TIME = 'the manifest is derived at build time, so it must be';
const service = (fixture: string): string => fixtureFile(fixture, 'src/service.ts');

describe('analyzeService: static values', () => {
  it.each([
    {
      fixture: 'call-value',
      message: 'info().version is the call readVersion() (src/service.ts:24:44)',
      hint: `${BUILD_TIME} a literal, a top-level const, an enum member, a template of those, or package.json's version`,
      line: 24,
      column: 43,
    },
    {
      fixture: 'unknown-spread',
      message: 'identitySpec().actions spreads the call extraActions() (src/service.ts:24:58)',
      hint: `${BUILD_TIME} a literal, a top-level const, an enum member or a template of those`,
      line: 24,
      column: 57,
    },
    {
      fixture: 'let-binding',
      message: 'capabilities()[0].name is capabilityName, a let binding (src/service.ts:18:21)',
      hint: `${BUILD_TIME} a literal, a top-level const, an enum member or a template of those`,
      line: 18,
      column: 20,
    },
    {
      fixture: 'env-version',
      message: 'info().version is process.env.VERSION (src/service.ts:24:44)',
      hint: `${BUILD_TIME} a literal, a top-level const, an enum member, a template of those, or package.json's version`,
      line: 24,
      column: 43,
    },
    {
      fixture: 'template-substitution',
      message: 'info().description is the template `Echoes over ${transports}`, whose substitution transports is not a string, number, boolean or null (src/service.ts:26:85)',
      hint: `${BUILD_TIME} a literal, a top-level const, an enum member, a template of those, or package.json's description`,
      line: 26,
      column: 84,
    },
    {
      fixture: 'package-import',
      message: "identitySpec().scope is ECHO_SCOPE, imported from the package 'echo-constants' (src/service.ts:21:21)",
      hint: "the build reads the service's own sources (relative imports, and imports its tsconfig paths or baseUrl map to them), not third-party packages: a package's values are not the service's contract and change with its version, so define the value in the service",
      line: 21,
      column: 20,
    },
  ])('fails with a located diagnostic saying what it found, and a hint what it needs: $fixture', async ({ fixture, message, hint, line, column }) => {
    expect(await diagnosticsOf(fixture)).toEqual([{ code: 'not-static', message, hint, file: service(fixture), line, column }]);
  });

  it('fails at the use of a name whose relative import names no file or does not export it', async () => {
    const followImports = "the build reads it by following the service's own imports (relative, or mapped by tsconfig paths), so the import must name one file that exports it";
    expect(await diagnosticsOf('unresolved-import')).toEqual([
      {
        code: 'unresolved-import',
        message: "capabilities() is CAPABILITIES, imported from './capabilities.js', which names no file (src/service.ts:18:12)",
        hint: `${followImports}`,
        file: service('unresolved-import'),
        line: 18,
        column: 11,
      },
      {
        code: 'unresolved-import',
        message: 'info().name is NAME, but src/names.ts does not export NAME (src/service.ts:26:20)',
        hint: `${followImports}`,
        file: service('unresolved-import'),
        line: 26,
        column: 19,
      },
    ]);
  });

  it('reports an unreadable property of an imported const where that property is written', async () => {
    expect(await diagnosticsOf('const-object-property')).toEqual([
      {
        code: 'not-static',
        message: 'info().version is the call readVersion() (src/config.ts:7:12)',
        hint: `${BUILD_TIME} a literal, a top-level const, an enum member, a template of those, or package.json's version`,
        file: fixtureFile('const-object-property', 'src/config.ts'),
        line: 7,
        column: 11,
      },
    ]);
  });

  it('stops at modules that re-export a name from each other in a circle', async () => {
    expect(await diagnosticsOf('circular-re-export')).toEqual([
      {
        code: 'unresolved-import',
        message: "info().name is NAME, but src/a.ts does not export NAME (src/service.ts:25:20)",
        hint: "the build reads it by following the service's own imports (relative, or mapped by tsconfig paths), so the import must name one file that exports it",
        file: service('circular-re-export'),
        line: 25,
        column: 19,
      },
    ]);
  });

  it('reads consts from relative modules through re-exports, default and namespace imports and static spreads', async () => {
    const result = await analyzeFixture('relative-import');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest).toMatchObject({
      name: 'hecate-echo',
      version: '0.1.0',
      description: 'Echoes over the mesh',
      capabilities: [
        { name: 'echo.say', version: 1 },
        { name: 'echo.shout', version: 2 },
      ],
      identity: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
    });
    expect([...result.inputs].sort()).toEqual(
      [
        'package.json',
        'src/service.ts',
        'src/contract/index.ts',
        'src/contract/capabilities.ts',
        'src/contract/identity.ts',
        'src/contract/description.ts',
        'src/contract/names.ts',
      ]
        .map((path) => fixtureFile('relative-import', path))
        .sort(),
    );
  });

  it('derives the manifest when a later key replaces an unreadable value, whether spread or written', async () => {
    const result = await analyzeFixture('spread-then-override');
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(result.manifest).toMatchObject({
      name: 'hecate-echo',
      version: '0.1.0',
      description: 'Echoes over the mesh',
      identity: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
    });
  });

  it('lists the files an import tried before the one it names, so a cache notices when one appears', async () => {
    const result = await analyzeFixture('directory-import');
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(result.manifest.identity.ttlDays).toBe(30);
    expect(result.inputs).toContain(fixtureFile('directory-import', 'src/limits/index.ts'));
    // In esbuild's order: the path as written, with each extension, a package.json, then the index files.
    const tried = ['', '.tsx', '.ts', '.jsx', '.js', '.css', '.json', '/package.json', '/index.tsx'].map((suffix) => `src/limits${suffix}`);
    // The tsconfig.json files that would map '@hecate-om/contract' are looked for too, up to the project root.
    expect(result.absent).toEqual(['src/tsconfig.json', 'tsconfig.json', ...tried].map((path) => fixtureFile('directory-import', path)));
  });

  it("reads info()'s name, version and description from package.json, for a class exported after its declaration", async () => {
    const result = await analyzeFixture('package-json-values');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest).toMatchObject({
      name: 'hecate-echo',
      version: '2.3.4-rc.1',
      description: 'Echoes over the mesh',
      license: 'MIT',
      source: 'https://github.com/acme/hecate-echo',
      image: 'ghcr.io/acme/hecate-echo:2.3.4-rc.1',
    });
  });
});
