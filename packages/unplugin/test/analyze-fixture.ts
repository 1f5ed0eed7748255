import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalysisResult, type AnalyzeOptions, analyzeService } from '../src/core/analyze-service.js';
import type { Diagnostic } from '../src/core/diagnostic.js';
import { DEFAULTS } from '../src/core/options.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Absolute path of a file in a fixture service: `fixtureFile('complete', 'src/service.ts')`. */
export function fixtureFile(fixture: string, path: string): string {
  return join(FIXTURES, fixture, path);
}

/** Analyses a fixture service the way a build does with the default options. */
export function analyzeFixture(fixture: string, options: Partial<AnalyzeOptions> = {}): Promise<AnalysisResult> {
  return analyzeService({
    root: join(FIXTURES, fixture),
    service: fixtureFile(fixture, 'src/service.ts'),
    registry: 'ghcr.io',
    org: 'acme',
    healthPort: DEFAULTS.healthPort,
    runtimeVersion: '0.1.0',
    ...options,
  });
}

export type DiagnosticFields = Pick<Diagnostic, 'code' | 'message' | 'hint' | 'file' | 'line' | 'column'>;

/** The diagnostics of a fixture that must fail, without the line text; `hint` only where there is one. */
export async function diagnosticsOf(fixture: string, options: Partial<AnalyzeOptions> = {}): Promise<DiagnosticFields[]> {
  const result = await analyzeFixture(fixture, options);
  if (result.ok) throw new Error(`expected ${fixture} to fail, but it derived ${JSON.stringify(result.manifest)}`);
  return result.diagnostics.map(({ code, message, hint, file, line, column }) => ({ code, message, ...(hint === undefined ? {} : { hint }), file, line, column }));
}
