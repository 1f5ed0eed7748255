import type { Manifest, UcanRequest } from '@hecate-om/contract';
import { withoutCredentials } from './credentials.js';
import type { Diagnostic } from './diagnostic.js';
import type { AnalysisOptions } from './options.js';
import { findContractClass } from './extract/contract-class.js';
import { findContractMembers } from './extract/contract-members.js';
import { checkContractRules, checkVersionMatch } from './extract/contract-rules.js';
import { readContractValues } from './extract/contract-values.js';
import { deriveDeployment } from './extract/deployment.js';
import { ModuleBindings } from './extract/module-bindings.js';
import { readServicePackage } from './extract/service-package.js';
import { LIMITS } from './extract/limits.js';
import { locationOf, SourceFiles } from './extract/source-files.js';

/** The resolved options the manifest depends on, and the runtime version it is built against. */
export interface AnalyzeOptions extends AnalysisOptions {
  readonly runtimeVersion: string;
}

export type AnalysisResult =
  | { readonly ok: true; readonly manifest: Manifest; readonly ucanRequest: UcanRequest; readonly inputs: string[]; readonly absent: string[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly inputs: string[] };

/**
 * Reads the contract class of a service without running it and derives its manifest and UCAN
 * request, or returns every problem found, each located in the file that causes it.
 * `inputs` lists every file read and `absent` every file looked for and not found (an import tries
 * several), so a cache can tell when the result may change.
 */
export async function analyzeService(options: AnalyzeOptions): Promise<AnalysisResult> {
  const files = new SourceFiles(options.root);
  const bindings = new ModuleBindings(files);
  const servicePackage = readServicePackage(files, options.root);
  const diagnostics: Diagnostic[] = servicePackage.ok ? [] : [servicePackage.diagnostic];
  const contract = findContractClass(bindings, options.service);
  if (!contract.ok) return { ok: false, diagnostics: reported([...diagnostics, contract.diagnostic]), inputs: files.inputs };

  const { members, diagnostics: memberDiagnostics } = findContractMembers(bindings, contract.value);
  const reading = readContractValues(bindings, members);
  const classLocation = locationOf(contract.value.getNameNode() ?? contract.value);
  const rules = checkContractRules({ kind: 'object', entries: reading.values, location: classLocation }, reading.unreadPaths, classLocation);
  const mismatch = servicePackage.ok ? checkVersionMatch(reading.values.get('info'), servicePackage.value, files) : undefined;
  diagnostics.push(...memberDiagnostics, ...reading.diagnostics, ...(rules.ok ? [] : rules.diagnostics), ...(mismatch === undefined ? [] : [mismatch]));
  if (diagnostics.length > 0 || !rules.ok || !servicePackage.ok) return { ok: false, diagnostics: reported(diagnostics), inputs: files.inputs };

  const deployment = deriveDeployment(rules.value, servicePackage.value, options);
  if (!deployment.ok) return { ok: false, diagnostics: reported([...deployment.diagnostics]), inputs: files.inputs };
  return { ok: true, manifest: deployment.manifest, ucanRequest: deployment.ucanRequest, inputs: files.inputs, absent: files.absent };
}

/**
 * The diagnostics as the analysis returns them, in reading order. Every diagnostic leaves through
 * here, so here the credentials a URL may carry (package.json's `repository`, on a line a diagnostic
 * shows) are masked: a build log is no place for a token.
 */
function reported(diagnostics: Diagnostic[]): Diagnostic[] {
  return inReadingOrder(diagnostics).map((diagnostic) => ({
    ...diagnostic,
    message: withoutCredentials(diagnostic.message),
    ...(diagnostic.hint === undefined ? {} : { hint: withoutCredentials(diagnostic.hint) }),
    lineText: withoutCredentials(diagnostic.lineText),
  }));
}

/**
 * By file, then position: the order a reader fixes them in; past `LIMITS.diagnostics`, the rest are
 * counted in one last diagnostic, so a contract with thousands of problems prints a screenful.
 */
function inReadingOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const sorted = diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  if (sorted.length <= LIMITS.diagnostics) return sorted;
  const shown = sorted.slice(0, LIMITS.diagnostics);
  const first = sorted[LIMITS.diagnostics];
  if (first === undefined) return shown;
  const more = sorted.length - LIMITS.diagnostics;
  return [
    ...shown,
    { ...first, code: 'over-limit', message: `and ${more} more problem${more === 1 ? '' : 's'}, the first of them here: ${first.message}` },
  ];
}
