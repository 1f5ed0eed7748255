import { deriveManifest, deriveUcanRequest } from '@hecate-om/contract';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/core/diagnostic.js';
import { analyzeFixture, diagnosticsOf, fixtureFile } from './analyze-fixture.js';

const WANTED = 'the contract is the class the module exports by default, as in export default class MyService extends HecateService { ... }';

describe('analyzeService: the contract class', () => {
  it('derives the manifest and UCAN request of a complete service', async () => {
    const result = await analyzeFixture('complete');
    const manifest = deriveManifest(
      {
        info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
        capabilities: [{ name: 'echo.say', version: 1 }],
        identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
      },
      {
        imageRepository: 'ghcr.io/acme',
        license: 'Apache-2.0',
        source: 'https://github.com/acme/hecate-echo',
        runtimeVersion: '0.1.0',
      },
    );
    expect(result).toEqual({
      ok: true,
      manifest,
      ucanRequest: deriveUcanRequest(manifest),
      inputs: [fixtureFile('complete', 'package.json'), fixtureFile('complete', 'src/service.ts')],
      // No tsconfig.json maps '@hecate-om/contract' elsewhere: if one appears, the analysis may change.
      absent: [fixtureFile('complete', 'src/tsconfig.json'), fixtureFile('complete', 'tsconfig.json')],
    });
    expect(manifest.image).toBe('ghcr.io/acme/hecate-echo:0.1.0');
  });

  it('writes the health port it is given into the manifest', async () => {
    const result = await analyzeFixture('complete', { healthPort: 9000 });
    expect(result.ok && result.manifest.health).toEqual({ port: 9000, path: '/health' });
  });

  it('finds members inherited from a base class in another module of the project', async () => {
    const result = await analyzeFixture('local-base-class');
    expect(result.ok).toBe(true);
    expect(result.inputs).toEqual([
      fixtureFile('local-base-class', 'package.json'),
      fixtureFile('local-base-class', 'src/service.ts'),
      fixtureFile('local-base-class', 'src/base.ts'),
    ]);
  });

  it('locates a problem of an anonymous default-exported class at its class keyword', async () => {
    expect(await diagnosticsOf('anonymous-class')).toEqual([
      {
        code: 'missing-member',
        message: 'the default-exported class does not implement stop()',
        hint: 'a hecate service implements start(), stop(), health(), capabilities(), identitySpec() and info()',
        file: fixtureFile('anonymous-class', 'src/service.ts'),
        line: 4,
        column: 15,
      },
    ]);
  });

  it('fails with a diagnostic at the missing file when the service module does not exist', async () => {
    const result = await analyzeFixture('no-service-module');
    expect(result).toEqual({
      ok: false,
      diagnostics: [
        {
          code: 'service-not-found',
          message: 'the service module src/service.ts does not exist',
          hint: 'create it, or point the plugin\'s "service" option at the module that default-exports the contract class',
          file: fixtureFile('no-service-module', 'src/service.ts'),
          line: 1,
          column: 0,
          lineText: '',
          byteColumn: 0,
        },
      ],
      inputs: [fixtureFile('no-service-module', 'package.json')],
    });
  });

  it('fails with a located diagnostic when the service module has no default export', async () => {
    expect(await diagnosticsOf('no-default-export')).toEqual([
      {
        code: 'no-default-export',
        message: 'src/service.ts has no default export',
        hint: WANTED,
        file: fixtureFile('no-default-export', 'src/service.ts'),
        line: 1,
        column: 0,
      },
    ]);
  });

  it('fails with a diagnostic at the default export when it is not a class', async () => {
    const result = await analyzeFixture('default-export-not-a-class');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics).toEqual([
      {
        code: 'no-contract-class',
        message: 'the default export of src/service.ts is an object, not a class',
        hint: WANTED,
        file: fixtureFile('default-export-not-a-class', 'src/service.ts'),
        line: 1,
        column: 15,
        lineText: 'export default {',
        byteColumn: 15,
      },
    ]);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      `${fixtureFile('default-export-not-a-class', 'src/service.ts')}:1:16: the default export of src/service.ts is an object, not a class\n  hint: ${WANTED}`,
    ]);
  });
});
