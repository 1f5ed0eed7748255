import { readFileSync } from 'node:fs';
import { secretsDirFor, stateDirFor } from '@hecate-om/contract';
import type { ScaffoldInput } from './scaffold-input.js';
import type { TargetDirectory } from './target-directory.js';
import { type RenderedFile, type TemplateValues, renderTemplates } from './templates.js';
import { writeRepository } from './write-repository.js';

/**
 * The version of @hecate-om/contract, runtime and unplugin a new service depends on: the packages
 * are released together, so the CLI's own version names them all.
 */
export function hecateOmVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

/** The placeholder values of the templates for one service. */
export function templateValuesOf(input: ScaffoldInput): TemplateValues {
  const { names, placement } = input;
  return {
    tokens: {
      name: names.name,
      packageName: names.packageName,
      className: names.className,
      scope: names.scope,
      capabilityPrefix: names.capabilityPrefix,
      imageRepository: names.imageRepository,
      quadletUnit: names.quadletUnit,
      systemdService: names.systemdService,
      org: placement.org,
      registry: placement.registry,
      healthPort: String(input.healthPort),
      secretsDir: secretsDirFor(names.name),
      stateDir: stateDirFor(names.name),
      hecateOmVersion: hecateOmVersion(),
    },
    freeText: { description: input.description },
  };
}

/** Renders the template repository for `input` and writes it to `target`; returns what was written. */
export async function scaffoldService(input: ScaffoldInput, target: TargetDirectory): Promise<readonly RenderedFile[]> {
  const files = await renderTemplates(templateValuesOf(input));
  await writeRepository(target, files);
  return files;
}
