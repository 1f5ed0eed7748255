import { dirname, join, resolve } from 'node:path';
import { Args, ux } from '@oclif/core';
import type { Manifest, ManifestProblem, UcanRequest } from '@hecate-om/contract';
import { countOf, HecateCommand } from '../hecate-command.js';
import type { JsonSyntaxError } from '../validate/json-syntax.js';
import { readRegularFile } from '../validate/regular-file.js';

/** `syntaxErrors` and `problems` hold the first {@link MAX_REPORTED_PROBLEMS}; `notShown` counts the rest. */
export type ValidateReport =
  | { readonly ok: true; readonly file: string; readonly manifest: Manifest }
  | { readonly ok: true; readonly file: string; readonly ucanRequest: UcanRequest; readonly derivedFrom?: string }
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
  static override summary = 'Check a manifest.json or ucan-request.json against its schema.';

  static override description = `Reports every JSON syntax error with its line and column, or every schema problem with its JSON path (such as $.capabilities[1].name), and a contract hash that no longer matches the manifest; the first ${MAX_REPORTED_PROBLEMS} of them, and how many more. Exits 1 when there is any problem.

A JSON object with a "ucv" member is a UCAN request: it is checked against the UCAN request schema and, when a valid manifest.json sits beside it, against what that manifest derives to.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> dist/manifest.json',
    '<%= config.bin %> <%= command.id %> dist/manifest.json --json',
    '<%= config.bin %> <%= command.id %> dist/ucan-request.json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    manifest: Args.string({ required: true, description: 'Path of the manifest.json (or ucan-request.json) to check: a regular file.' }),
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
    if (isUcanRequest(parsed.value)) return this.#validateUcanRequest(args.manifest, file, parsed.value);
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

  /** The request against its schema, then against the manifest beside it when there is a valid one. */
  async #validateUcanRequest(shown: string, file: string, input: unknown): Promise<ValidateReport> {
    const { parseUcanRequest } = await import('@hecate-om/contract');
    const sibling = await manifestBeside(file);
    const result = parseUcanRequest(input, sibling?.manifest);
    if (!result.ok) {
      const shownProblems = result.problems.slice(0, MAX_REPORTED_PROBLEMS);
      const notShown = result.problems.length - shownProblems.length;
      const against = sibling === undefined ? '' : ` derived from ${join(dirname(shown), MANIFEST_FILE)}`;
      return this.fail(
        [...shownProblems.map((problem) => `${shown}: ${problem.path}: ${problem.message}`), ...notShownLine(shown, notShown, 'problem')],
        `${shown} is not a valid UCAN request${against} (${countOf(result.problems.length, 'problem')})`,
        { ok: false, file, problems: shownProblems, notShown },
      );
    }
    const { name, version } = result.value.service;
    this.log(`${shown}: ${ux.colorize('green', 'valid')} UCAN request of ${name} ${version}${sibling === undefined ? '' : `, as ${MANIFEST_FILE} derives it`}`);
    return { ok: true, file, ucanRequest: result.value, ...(sibling === undefined ? {} : { derivedFrom: sibling.file }) };
  }
}

const MANIFEST_FILE = 'manifest.json';

/** A UCAN request names its UCAN version; a manifest has no such member. */
function isUcanRequest(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'ucv');
}

/** The valid manifest the build wrote beside the request, or undefined when there is none to compare with. */
async function manifestBeside(requestFile: string): Promise<{ file: string; manifest: Manifest } | undefined> {
  const file = join(dirname(requestFile), MANIFEST_FILE);
  const read = await readRegularFile(file, MAX_MANIFEST_BYTES);
  if (!read.ok) return undefined;
  const { parseManifest } = await import('@hecate-om/contract');
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    return undefined; // `validate manifest.json` reports its syntax; here it is only a reference
  }
  const parsed = parseManifest(json);
  return parsed.ok ? { file, manifest: parsed.value } : undefined;
}

function notShownLine(manifest: string, notShown: number, noun: string): string[] {
  return notShown === 0 ? [] : [`${manifest}: ${countOf(notShown, `more ${noun}`)} not shown`];
}
