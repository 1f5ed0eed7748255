import { resolve } from 'node:path';
import { Args, ux } from '@oclif/core';
import type { Manifest, ManifestProblem } from '@hecate-om/contract';
import { countOf, HecateCommand } from '../hecate-command.js';
import type { JsonSyntaxError } from '../validate/json-syntax.js';
import { readRegularFile } from '../validate/regular-file.js';

/** `syntaxErrors` and `problems` hold the first {@link MAX_REPORTED_PROBLEMS}; `notShown` counts the rest. */
export type ValidateReport =
  | { readonly ok: true; readonly file: string; readonly manifest: Manifest }
  | { readonly ok: false; readonly file: string; readonly syntaxErrors: readonly JsonSyntaxError[]; readonly notShown: number }
  | { readonly ok: false; readonly file: string; readonly problems: readonly ManifestProblem[]; readonly notShown: number };

/**
 * How many problems are printed: enough to fix a real manifest, few enough that a file of five
 * million commas gives a screenful, not 300 MB. The count of the rest is always given.
 */
export const MAX_REPORTED_PROBLEMS = 100;
/** A derived manifest is a few kilobytes; this bounds what a wrong path (a log, an image) can cost. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export default class Validate extends HecateCommand {
  static override summary = 'Check a manifest.json against the hecate-om manifest schema.';

  static override description = `Reports every JSON syntax error with its line and column, or every schema problem with its JSON path (such as $.capabilities[1].name), and a contract hash that no longer matches the manifest; the first ${MAX_REPORTED_PROBLEMS} of them, and how many more. Exits 1 when there is any problem.`;

  static override examples = ['<%= config.bin %> <%= command.id %> dist/manifest.json', '<%= config.bin %> <%= command.id %> dist/manifest.json --json'];

  static override enableJsonFlag = true;

  static override args = {
    manifest: Args.string({ required: true, description: 'Path of the manifest.json to check: a regular file.' }),
  };

  async run(): Promise<ValidateReport> {
    const { args } = await this.parse(Validate);
    const file = resolve(args.manifest);
    const read = await readRegularFile(file, MAX_MANIFEST_BYTES);
    if (!read.ok) this.refuse('cannot read the manifest:', [{ flag: 'MANIFEST', message: read.message }]);
    const { parseJson } = await import('../validate/json-syntax.js');
    const parsed = parseJson(read.text, MAX_REPORTED_PROBLEMS);
    if (!parsed.ok) {
      const notShown = parsed.count - parsed.errors.length;
      return this.fail(
        [
          ...parsed.errors.map((error) => `${args.manifest}:${error.line}:${error.column}: ${error.message}`),
          ...notShownLine(args.manifest, notShown, 'syntax error'),
        ],
        `${args.manifest} is not valid JSON (${countOf(parsed.count, 'syntax error')})`,
        { ok: false, file, syntaxErrors: parsed.errors, notShown },
      );
    }
    const { parseManifest } = await import('@hecate-om/contract');
    const result = parseManifest(parsed.value);
    if (!result.ok) {
      const shown = result.problems.slice(0, MAX_REPORTED_PROBLEMS);
      const notShown = result.problems.length - shown.length;
      return this.fail(
        [...shown.map((problem) => `${args.manifest}: ${problem.path}: ${problem.message}`), ...notShownLine(args.manifest, notShown, 'problem')],
        `${args.manifest} is not a valid manifest (${countOf(result.problems.length, 'problem')})`,
        { ok: false, file, problems: shown, notShown },
      );
    }
    this.log(`${args.manifest}: ${ux.colorize('green', 'valid')} manifest of ${result.value.name} ${result.value.version}`);
    return { ok: true, file, manifest: result.value };
  }
}

function notShownLine(manifest: string, notShown: number, noun: string): string[] {
  return notShown === 0 ? [] : [`${manifest}: ${countOf(notShown, `more ${noun}`)} not shown`];
}
