import { relative, resolve } from 'node:path';
import { Args, Flags, ux } from '@oclif/core';
import type { Manifest, UcanRequest } from '@hecate-om/contract';
import { PORT_MAX, PORT_MIN } from '@hecate-om/contract/rules';
import { DEFAULTS } from '@hecate-om/unplugin/options';
import { countOf, EXIT_FAILURE, HecateCommand } from '../hecate-command.js';

/**
 * A diagnostic as `--json` reports it: the plugin's own shape, its file absolute, line 1-based,
 * column 0-based, and the hint (what to change) only when the plugin gives one.
 */
export interface ReportedDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type InspectReport =
  | { readonly ok: true; readonly manifest: Manifest; readonly ucanRequest: UcanRequest }
  | { readonly ok: false; readonly diagnostics: readonly ReportedDiagnostic[] }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export default class Inspect extends HecateCommand {
  static override summary = 'Show the manifest and UCAN request a build would derive, without building.';

  static override description = `Runs the build plugin's own static analysis of the service's contract class: the same manifest.json and ucan-request.json a build emits, or every diagnostic as file:line:column: message with its hint below. Exits 1 when there is any diagnostic.

The build plugin's options are set in build.mjs, which inspect does not run: pass the same --registry, --org and --health-port to see the same image reference and port.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> examples/hecate-echo --org acme --registry registry.example.com',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    dir: Args.string({ default: '.', description: 'The service project: the directory holding its package.json.' }),
  };

  static override flags = {
    service: Flags.string({ default: DEFAULTS.service, description: 'Module whose default export is the contract class, relative to the project.' }),
    registry: Flags.string({ description: `Container registry in the image reference. [default: the plugin's, ${DEFAULTS.registry}]` }),
    org: Flags.string({ description: `Registry namespace in the image reference. [default: the plugin's: the GitHub owner of package.json repository, else ${DEFAULTS.org}]` }),
    'health-port': Flags.integer({ min: PORT_MIN, max: PORT_MAX, description: `Port of the health endpoint. [default: ${DEFAULTS.healthPort}]` }),
  };

  async run(): Promise<InspectReport> {
    const { args, flags } = await this.parse(Inspect);
    const root = resolve(args.dir);
    const { projectDirectoryProblem } = await import('../inspect/project-directory.js');
    const problem = await projectDirectoryProblem(root);
    if (problem !== undefined) this.refuse('not a service project:', [problem]);
    // The plugin loads the analysis (ts-morph, zod) itself, and only on a cache miss.
    const { formatDiagnostic, inspectService } = await import('@hecate-om/unplugin');
    const outcome = await inspectService(
      { service: flags.service, registry: flags.registry, org: flags.org, healthPort: flags['health-port'] },
      root,
    );
    if (outcome.ok) {
      const { manifest, ucanRequest } = outcome.analysis;
      this.log(`${ux.colorize('bold', `${manifest.name} ${manifest.version}`)}: ${manifest.description}`);
      this.log('');
      this.log(ux.colorize('bold', 'manifest.json'));
      this.log(JSON.stringify(manifest, null, 2));
      this.log('');
      this.log(ux.colorize('bold', 'ucan-request.json'));
      this.log(JSON.stringify(ucanRequest, null, 2));
      return { ok: true, manifest, ucanRequest };
    }
    const { failure } = outcome;
    if (failure.kind === 'project') {
      // Not a finding in the contract: the project cannot be read at all, said on stderr.
      this.logToStderr(ux.colorize('red', failure.error.message));
      process.exitCode = EXIT_FAILURE;
      return { ok: false, error: { code: failure.error.code, message: failure.error.message } };
    }
    return this.fail(
      failure.diagnostics.map((diagnostic) => formatDiagnostic({ ...diagnostic, file: relative(process.cwd(), diagnostic.file) })),
      `${countOf(failure.diagnostics.length, 'problem')} in the contract of ${root}`,
      {
        ok: false,
        diagnostics: failure.diagnostics.map(({ code, message, hint, file, line, column }) => ({ code, message, ...(hint === undefined ? {} : { hint }), file, line, column })),
      },
    );
  }
}
