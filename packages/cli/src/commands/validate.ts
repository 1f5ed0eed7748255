import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Args, ux } from '@oclif/core';
import type { Manifest, ManifestProblem } from '@hecate-om/contract';
import { countOf, HecateCommand } from '../hecate-command.js';
import type { JsonSyntaxError } from '../validate/json-syntax.js';

export type ValidateReport =
  | { readonly ok: true; readonly file: string; readonly manifest: Manifest }
  | { readonly ok: false; readonly file: string; readonly syntaxErrors: readonly JsonSyntaxError[] }
  | { readonly ok: false; readonly file: string; readonly problems: readonly ManifestProblem[] };

export default class Validate extends HecateCommand {
  static override summary = 'Check a manifest.json against the hecate-om manifest schema.';

  static override description = `Reports every JSON syntax error with its line and column, or every schema problem with its JSON path (such as $.capabilities[1].name), and a contract hash that no longer matches the manifest. Exits 1 when there is any problem.`;

  static override examples = ['<%= config.bin %> <%= command.id %> dist/manifest.json', '<%= config.bin %> <%= command.id %> dist/manifest.json --json'];

  static override enableJsonFlag = true;

  static override args = {
    manifest: Args.string({ required: true, description: 'Path of the manifest.json to check.' }),
  };

  async run(): Promise<ValidateReport> {
    const { args } = await this.parse(Validate);
    const file = resolve(args.manifest);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      this.refuse('cannot read the manifest:', [{ flag: 'MANIFEST', message: `${file}: ${(error as Error).message}` }]);
    }
    const { parseJson } = await import('../validate/json-syntax.js');
    const parsed = parseJson(text);
    if (!parsed.ok) {
      return this.fail(
        parsed.errors.map((error) => `${args.manifest}:${error.line}:${error.column}: ${error.message}`),
        `${args.manifest} is not valid JSON (${countOf(parsed.errors.length, 'syntax error')})`,
        { ok: false, file, syntaxErrors: parsed.errors },
      );
    }
    const { parseManifest } = await import('@hecate-om/contract');
    const result = parseManifest(parsed.value);
    if (!result.ok) {
      return this.fail(
        result.problems.map((problem) => `${args.manifest}: ${problem.path}: ${problem.message}`),
        `${args.manifest} is not a valid manifest (${countOf(result.problems.length, 'problem')})`,
        { ok: false, file, problems: result.problems },
      );
    }
    this.log(`${args.manifest}: ${ux.colorize('green', 'valid')} manifest of ${result.value.name} ${result.value.version}`);
    return { ok: true, file, manifest: result.value };
  }
}
