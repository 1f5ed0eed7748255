import { type ContractValues, deriveManifest, deriveUcanRequest, formatJsonPath, type Manifest, ManifestSchema, type UcanRequest } from '@hecate-om/contract';
import type { Diagnostic } from '../diagnostic.js';
import type { AnalysisOptions } from '../options.js';
import { packageFieldLocation, type ServicePackage } from './service-package.js';
import { diagnosticAt, startOf, type SourceLocation } from './source-files.js';

/** What the build options add to the contract values to make the manifest. */
export interface DeploymentOptions extends Pick<AnalysisOptions, 'registry' | 'org' | 'healthPort'> {
  readonly runtimeVersion: string;
}

export type DeploymentResult =
  | { readonly ok: true; readonly manifest: Manifest; readonly ucanRequest: UcanRequest }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Derives the manifest and UCAN request, and checks the fields that come from outside the contract
 * class (options and package.json): the class's own values are checked already.
 */
export function deriveDeployment(values: ContractValues, servicePackage: ServicePackage, options: DeploymentOptions): DeploymentResult {
  const manifest = deriveManifest(values, {
    imageRepository: `${options.registry}/${options.org}`,
    license: servicePackage.license,
    source: servicePackage.source,
    healthPort: options.healthPort,
    runtimeVersion: options.runtimeVersion,
  });
  const parsed = ManifestSchema.safeParse(manifest);
  if (parsed.success) return { ok: true, manifest: parsed.data, ucanRequest: deriveUcanRequest(parsed.data) };
  const diagnostics = parsed.error.issues.map((issue) => {
    const { origin, location } = originOf(String(issue.path[0]), servicePackage, options);
    const separator = /^[a-z]/.test(issue.message) ? ' ' : ': ';
    const value = JSON.stringify(valueAt(manifest, issue.path));
    return diagnosticAt(
      'deployment-violation',
      `the manifest's ${formatJsonPath(issue.path).slice(2)} ${value} (from ${origin})${separator}${issue.message}`,
      location,
    );
  });
  return { ok: false, diagnostics };
}

/** Where a manifest field comes from, for the message, and where to point at in package.json. */
function originOf(field: string, servicePackage: ServicePackage, options: DeploymentOptions): { origin: string; location: SourceLocation } {
  const file = servicePackage.file;
  switch (field) {
    case 'license':
      return { origin: "package.json's license", location: packageFieldLocation(file, 'license') };
    case 'source':
      return { origin: "package.json's repository", location: packageFieldLocation(file, 'repository') };
    case 'image':
      return {
        origin: `the registry option ${JSON.stringify(options.registry)}, the org option ${JSON.stringify(options.org)}, info().name and info().version`,
        location: startOf(file),
      };
    case 'health':
      return { origin: 'the healthPort option', location: startOf(file) };
    case 'runtime':
      return { origin: 'the version of @hecate-om/runtime the service depends on', location: packageFieldLocation(file, 'dependencies') };
    default:
      return { origin: 'the contract values', location: startOf(file) };
  }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((inner, key) => (inner !== null && typeof inner === 'object' ? (inner as Record<PropertyKey, unknown>)[key] : undefined), value);
}
