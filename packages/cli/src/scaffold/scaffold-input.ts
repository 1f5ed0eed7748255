import {
  CAPABILITY_NAME_PATTERN,
  DescriptionSchema,
  isPort,
  ManifestSchema,
  PORT_MAX,
  PORT_MIN,
  SCOPE_PATTERN,
  ServiceNameSchema,
  registryProblem,
} from '@hecate-om/contract';
import type { Problem } from '../hecate-command.js';
import { type Placement, type ServiceNames, deriveServiceNames } from './service-names.js';

/** What `hecate-om scaffold` was asked for, before any check. */
export interface ScaffoldFlags {
  readonly name: string;
  readonly description: string;
  readonly org: string;
  readonly registry: string;
  readonly healthPort: number;
}

/** One refused flag value, with the flag it came from: the CLI's one problem type, for a flag. */
export type FlagProblem = Problem & { readonly flag: `--${string}` };

export interface ScaffoldInput {
  readonly names: ServiceNames;
  readonly description: string;
  readonly placement: Placement;
  readonly healthPort: number;
}

export type ScaffoldInputResult =
  | { readonly ok: true; readonly value: ScaffoldInput }
  | { readonly ok: false; readonly problems: readonly FlagProblem[] };

/** One path component of an image reference, which must also be a valid npm scope. */
const ORG_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ORG_MAX_LENGTH = 100;

function schemaProblems(flag: FlagProblem['flag'], value: string, result: { success: boolean; error?: { issues: { message: string }[] } }): FlagProblem[] {
  if (result.success) return [];
  return (result.error?.issues ?? []).map((issue) => ({ flag, message: `${JSON.stringify(value)} ${issue.message}` }));
}

function orgProblems(org: string): FlagProblem[] {
  if (org.length <= ORG_MAX_LENGTH && ORG_PATTERN.test(org)) return [];
  return [
    {
      flag: '--org',
      message: `${JSON.stringify(org)} must be lowercase a-z and 0-9, separated by single . _ or - (at most ${ORG_MAX_LENGTH} characters): it is a path component of the image reference and the npm scope of the package`,
    },
  ];
}

function registryProblems(registry: string): FlagProblem[] {
  const problem = registryProblem(registry);
  return problem === undefined ? [] : [{ flag: '--registry', message: `${JSON.stringify(registry)} ${problem}` }];
}

function healthPortProblems(port: number): FlagProblem[] {
  if (isPort(port)) return [];
  return [{ flag: '--health-port', message: `${port} is out of range: a TCP port is ${PORT_MIN} to ${PORT_MAX}` }];
}

/**
 * The names a valid service name derives must obey the contract's rules too; this holds for every
 * valid name today, and the check keeps it so if either rule changes.
 */
function derivedNameProblems(names: ServiceNames, placement: Placement): FlagProblem[] {
  const problems: FlagProblem[] = [];
  if (!SCOPE_PATTERN.test(names.scope))
    problems.push({ flag: '--name', message: `derives the identity scope ${JSON.stringify(names.scope)}, which the contract refuses` });
  if (!CAPABILITY_NAME_PATTERN.test(`${names.capabilityPrefix}.example`))
    problems.push({ flag: '--name', message: `derives the capability prefix ${JSON.stringify(names.capabilityPrefix)}, which the contract refuses` });
  const image = `${names.imageRepository}:0.1.0`;
  if (!ManifestSchema.shape.image.safeParse(image).success)
    problems.push({
      flag: '--registry',
      message: `with --org ${JSON.stringify(placement.org)} gives the image reference ${JSON.stringify(image)}, which the contract refuses`,
    });
  return problems;
}

/**
 * Checks every flag of `hecate-om scaffold` by the contract's own rules and reports every problem
 * at once, each naming its flag, so nothing is written for input that cannot build.
 */
export function checkScaffoldInput(flags: ScaffoldFlags): ScaffoldInputResult {
  const problems: FlagProblem[] = [
    ...schemaProblems('--name', flags.name, ServiceNameSchema.safeParse(flags.name)),
    ...schemaProblems('--description', flags.description, DescriptionSchema.safeParse(flags.description)),
    ...orgProblems(flags.org),
    ...registryProblems(flags.registry),
    ...healthPortProblems(flags.healthPort),
  ];
  if (problems.length > 0) return { ok: false, problems };
  const placement: Placement = { org: flags.org, registry: flags.registry };
  const names = deriveServiceNames(flags.name, placement);
  const derived = derivedNameProblems(names, placement);
  if (derived.length > 0) return { ok: false, problems: derived };
  return { ok: true, value: { names, description: flags.description, placement, healthPort: flags.healthPort } };
}
