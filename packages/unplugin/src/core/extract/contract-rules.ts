import { dirname, relative, sep } from 'node:path';
import { type ContractValues, ContractValuesSchema } from '@hecate-om/contract';
import type { Diagnostic } from '../diagnostic.js';
import { formatValuePath, isUnder, type LocatedValue, locationOfPath, plainValueOf, type ValuePath } from './located-value.js';
import type { ServicePackage } from './service-package.js';
import { packageFieldLocation } from './service-package.js';
import { diagnosticAt, type SourceFiles, type SourceLocation } from './source-files.js';

export type ContractRulesResult =
  | { readonly ok: true; readonly value: ContractValues }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Checks the values read from source against the contract's rules, and reports each broken rule at
 * the expression that produced the offending value. Rules at `unreadPaths` are skipped: those values
 * are already reported as unreadable.
 */
export function checkContractRules(values: LocatedValue, unreadPaths: readonly ValuePath[], fallback: SourceLocation): ContractRulesResult {
  const parsed = ContractValuesSchema.safeParse(plainValueOf(values));
  if (parsed.success) return { ok: true, value: parsed.data };
  const diagnostics: Diagnostic[] = [];
  for (const issue of parsed.error.issues) {
    if (unreadPaths.some((unread) => isUnder(issue.path, unread))) continue;
    if (issue.code === 'unrecognized_keys') {
      // An unknown key is best shown where it is written, not at the object holding it.
      for (const key of issue.keys)
        diagnostics.push(
          diagnosticAt(
            'rule-violation',
            `${formatValuePath(issue.path)} has the key ${JSON.stringify(key)}, which the contract does not define`,
            locationOfPath(values, [...issue.path, key]) ?? fallback,
            'remove it',
          ),
        );
      continue;
    }
    const separator = /^[a-z]/.test(issue.message) ? ' ' : ': ';
    diagnostics.push(
      diagnosticAt('rule-violation', `${formatValuePath(issue.path)}${separator}${issue.message}`, locationOfPath(values, issue.path) ?? fallback),
    );
  }
  return { ok: false, diagnostics };
}

/** info().version names the release, and so does package.json: they must agree. */
export function checkVersionMatch(info: LocatedValue | undefined, servicePackage: ServicePackage, files: SourceFiles): Diagnostic | undefined {
  if (info?.kind !== 'object') return undefined;
  const version = info.entries.get('version');
  if (version?.kind !== 'primitive' || typeof version.value !== 'string' || version.value === servicePackage.version) return undefined;
  const packageVersion = packageFieldLocation(servicePackage.file, 'version');
  // The import goes where info() is written, so the path is relative to that module.
  const specifier = relative(dirname(version.location.file), servicePackage.file.getFilePath()).split(sep).join('/');
  const importPath = specifier.startsWith('.') ? specifier : `./${specifier}`;
  return diagnosticAt(
    'version-mismatch',
    `info().version is ${JSON.stringify(version.value)} but package.json's version is ${JSON.stringify(servicePackage.version)} (${files.describe(packageVersion)})`,
    version.location,
    `both name the same release, so return pkg.version (import pkg from '${importPath}' with { type: 'json' }) or make them equal`,
  );
}
