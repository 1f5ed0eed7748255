import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AnalysisResult, analyzeService } from '../src/core/analyze-service.js';
import { DEFAULTS } from '../src/core/options.js';

/** A service project written to a temporary folder: each path relative to its root. */
export type ProjectFiles = Readonly<Record<string, string | Uint8Array>>;

const PACKAGE_JSON = `${JSON.stringify({ name: 'hecate-echo', version: '0.1.0', type: 'module', license: 'Apache-2.0' }, null, 2)}\n`;

/** Writes the files (and a package.json at version 0.1.0 unless given) and returns the project's root. */
export async function writeServiceProject(files: ProjectFiles): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'hecate-reader-'));
  for (const [path, content] of Object.entries({ 'package.json': PACKAGE_JSON, ...files })) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

export function removeServiceProject(root: string): Promise<void> {
  return rm(root, { recursive: true, force: true });
}

/** Analyses the project as a build with the default options does. */
export function analyzeProject(root: string, service = 'src/service.ts'): Promise<AnalysisResult> {
  return analyzeService({ root, service: join(root, service), registry: 'ghcr.io', org: 'acme', healthPort: DEFAULTS.healthPort, runtimeVersion: '0.1.0' });
}

export interface ContractParts {
  /** Lines before the class: imports, consts, enums. */
  readonly preamble?: string;
  readonly info?: string;
  readonly capabilities?: string;
  readonly identitySpec?: string;
  /** Members added at the end of the class body. */
  readonly extraMembers?: string;
  readonly extendsClause?: string;
}

/** A service module whose members return the given expressions (valid echo values by default). */
export function contractModule(parts: ContractParts = {}): string {
  return [
    "import { HecateService } from '@hecate-om/contract';",
    parts.preamble ?? '',
    `export default class EchoService ${parts.extendsClause ?? 'extends HecateService'} {`,
    '  start() {}',
    '  stop() {}',
    "  health() { return 'ok' as const; }",
    `  info() { return ${parts.info ?? "{ name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' }"}; }`,
    `  capabilities() { return ${parts.capabilities ?? "[{ name: 'echo.say', version: 1 }]"}; }`,
    `  identitySpec() { return ${parts.identitySpec ?? "{ scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 }"}; }`,
    parts.extraMembers ?? '',
    '}',
    '',
  ].join('\n');
}
