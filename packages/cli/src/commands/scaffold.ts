import { resolve } from 'node:path';
import { Flags, ux } from '@oclif/core';
import { PORT_MAX, PORT_MIN } from '@hecate-om/contract/rules';
import { DEFAULTS } from '@hecate-om/unplugin/options';
import { HecateCommand } from '../hecate-command.js';
import type { FlagProblem } from '../scaffold/scaffold-input.js';

/** The registry, org and health port when none is given: the build plugin's own defaults. */
export const DEFAULT_REGISTRY = DEFAULTS.registry;
export const DEFAULT_ORG = DEFAULTS.org;
export const DEFAULT_HEALTH_PORT = DEFAULTS.healthPort;

export interface ScaffoldReport {
  readonly directory: string;
  readonly names: Record<string, string>;
  readonly files: readonly string[];
}

export default class Scaffold extends HecateCommand {
  static override summary = 'Create the repository of a new hecate service.';

  static override description = `The kebab-case --name gives every other name by rule: the npm package @<org>/<name>, the image <registry>/<org>/<name>:<version>, the Quadlet unit <name>.container, the identity scope <name>, the capability prefix <name with - as _> and the contract class <PascalCaseName>Service.

The repository builds, type-checks and passes its own tests on its first install. Its service is complete and empty: it advertises no capability and asks for no authority, and a generated test asserts both.

Every flag is checked before anything is written. The files are written to a temporary directory beside the target and moved into place, so a failure leaves nothing behind.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --name hecate-billing --description "Bills usage over the mesh"',
    '<%= config.bin %> <%= command.id %> --name hecate-billing --description "Bills usage over the mesh" --org acme --registry registry.example.com --dir ~/src/billing',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    name: Flags.string({ char: 'n', required: true, description: 'Service name: lowercase kebab-case, a DNS label (at most 63 characters).' }),
    description: Flags.string({ char: 'd', required: true, description: 'One line saying what the service does (at most 200 characters, no control characters).' }),
    dir: Flags.string({ description: 'Directory to create. It must be absent or empty unless --force is given. [default: ./<name>]' }),
    org: Flags.string({ default: DEFAULT_ORG, description: 'Registry namespace of the image, and npm scope of the package.' }),
    registry: Flags.string({ default: DEFAULT_REGISTRY, description: 'Container registry the image is pushed to (host, optionally :port).' }),
    'health-port': Flags.integer({ default: DEFAULT_HEALTH_PORT, description: `Port of the health endpoint (${PORT_MIN}-${PORT_MAX}).` }),
    force: Flags.boolean({ default: false, description: 'Write into a non-empty directory, replacing files of the same path.' }),
  };

  async run(): Promise<ScaffoldReport> {
    const { flags } = await this.parse(Scaffold);
    // The contract and its zod schemas load only when a command needs them, so --help stays quick.
    const { checkScaffoldInput } = await import('../scaffold/scaffold-input.js');
    const { checkTargetDirectory } = await import('../scaffold/target-directory.js');
    const input = checkScaffoldInput({
      name: flags.name,
      description: flags.description,
      org: flags.org,
      registry: flags.registry,
      healthPort: flags['health-port'],
    });
    const directory = resolve(flags.dir ?? flags.name);
    // Without --dir, the directory comes from the name: a refused name has no directory to check.
    const target = input.ok || flags.dir !== undefined ? await checkTargetDirectory(directory, flags.force) : undefined;
    const conflicts = target?.ok === true && target.value.state === 'forced' ? await forcedConflicts(target.value.path) : [];
    const problems = [...(input.ok ? [] : input.problems), ...(target?.ok === false ? target.problems : conflicts)];
    if (!input.ok || target?.ok !== true || conflicts.length > 0) this.refuse('nothing was written:', problems);

    const { scaffoldService } = await import('../scaffold/scaffold-service.js');
    const files = await scaffoldService(input.value, target.value);
    const { names } = input.value;
    const report: ScaffoldReport = { directory, names: { ...names }, files: files.map((file) => file.path) };
    const { scaffoldSummary } = await import('../scaffold/scaffold-summary.js');
    for (const line of scaffoldSummary(names, directory, files.length, (text) => ux.colorize('bold', text))) this.log(line);
    return report;
  }
}

/** Under --force, what is in the way of the generated files; read from the template list, before rendering. */
async function forcedConflicts(targetPath: string): Promise<FlagProblem[]> {
  const { listTemplateFiles } = await import('../scaffold/templates.js');
  const { forcedPathConflicts } = await import('../scaffold/target-directory.js');
  return forcedPathConflicts(targetPath, (await listTemplateFiles()).map((file) => file.path));
}
