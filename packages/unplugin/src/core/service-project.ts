import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PackageManifest } from './dependencies/package-graph.js';
import type { ServicePackageJson } from './options.js';

const RUNTIME_PACKAGE = '@hecate-om/runtime';

/** What the plugin needs from the service project besides its contract. */
export interface ServiceProject {
  readonly packageJson: ServicePackageJson & PackageManifest;
  /** The @hecate-om/runtime the service depends on, resolved from its root. */
  readonly runtime: { readonly entry: string; readonly version: string; /** Real path of its folder. */ readonly dir: string };
}

export type ServiceProjectError = {
  readonly code:
    | 'no-package-json'
    | 'no-runtime-dependency'
    | 'runtime-not-installed'
    | 'bad-option'
    | 'bad-environment'
    | 'bad-dependencies'
    /** The base image runs a Node under which the release's native addons cannot load. */
    | 'node-abi-mismatch';
  readonly message: string;
  /** What to change, when there is more to say than the message does. */
  readonly hint?: string;
};

export type ServiceProjectResult =
  | { readonly ok: true; readonly value: ServiceProject }
  | { readonly ok: false; readonly error: ServiceProjectError };

interface PackageJsonWithDependencies extends ServicePackageJson, PackageManifest {
  readonly devDependencies?: Record<string, string>;
}

/** Reads `<root>/package.json` and resolves the runtime the generated entry imports. */
export function readServiceProject(root: string): ServiceProjectResult {
  const packageJsonPath = join(root, 'package.json');
  let packageJson: PackageJsonWithDependencies;
  try {
    packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as PackageJsonWithDependencies;
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'no-package-json',
        message: `cannot read ${packageJsonPath} (${(error as Error).message}): the plugin's root must be the service project, the directory holding its package.json (set the "root" option)`,
      },
    };
  }
  if (packageJson.dependencies?.[RUNTIME_PACKAGE] === undefined && packageJson.devDependencies?.[RUNTIME_PACKAGE] === undefined)
    return {
      ok: false,
      error: {
        code: 'no-runtime-dependency',
        message: `${packageJsonPath} does not depend on ${RUNTIME_PACKAGE}: the generated entry boots the service with it, so add it to "dependencies" (npm install ${RUNTIME_PACKAGE})`,
      },
    };
  const requireFromRoot = createRequire(packageJsonPath);
  try {
    const entry = requireFromRoot.resolve(RUNTIME_PACKAGE);
    const runtimePackageJsonPath = requireFromRoot.resolve(`${RUNTIME_PACKAGE}/package.json`);
    const runtimePackageJson = JSON.parse(readFileSync(runtimePackageJsonPath, 'utf8')) as { version: string };
    const runtime = { entry, version: runtimePackageJson.version, dir: realpathSync(dirname(runtimePackageJsonPath)) };
    return { ok: true, value: { packageJson, runtime } };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'runtime-not-installed',
        message: `${RUNTIME_PACKAGE} is listed in ${packageJsonPath} but cannot be resolved from ${root} (${(error as Error).message}): install the service's dependencies`,
      },
    };
  }
}
