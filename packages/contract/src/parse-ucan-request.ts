import { canonicalJson } from './canonical-json.js';
import { formatJsonPath } from './json-path.js';
import { type ManifestProblem, problemsFromZodError } from './parse-manifest.js';
import { type Manifest, type UcanRequest, UcanRequestSchema } from './schemas.js';
import { deriveUcanRequest } from './ucan-request.js';

export type ParseUcanRequestResult =
  | { readonly ok: true; readonly value: UcanRequest }
  | { readonly ok: false; readonly problems: readonly ManifestProblem[] };

/**
 * Checks a parsed `ucan-request.json` against `UcanRequestSchema` and, when the manifest it was
 * derived from is given, against what that manifest derives to: every problem with its JSON path
 * (`$.cap["hecate://echo/*"]`), so an edited or stale request is named where it differs.
 */
export function parseUcanRequest(input: unknown, derivedFrom?: Manifest): ParseUcanRequestResult {
  const parsed = UcanRequestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: problemsFromZodError(parsed.error) };
  if (derivedFrom === undefined) return { ok: true, value: parsed.data };
  const expected = deriveUcanRequest(derivedFrom);
  const problems = differences(parsed.data, expected, []).map(({ path, found, wanted }) => ({
    path: formatJsonPath(path),
    message: `is ${found} but the manifest derives ${wanted}: the request was edited, or is from another build`,
  }));
  return problems.length === 0 ? { ok: true, value: parsed.data } : { ok: false, problems };
}

interface Difference {
  readonly path: readonly PropertyKey[];
  readonly found: string;
  readonly wanted: string;
}

/** Where two JSON values differ, down to the first object member or value that does. */
function differences(found: unknown, wanted: unknown, path: readonly PropertyKey[]): Difference[] {
  if (isObject(found) && isObject(wanted) && !Array.isArray(found) && !Array.isArray(wanted)) {
    const keys = [...new Set([...Object.keys(wanted), ...Object.keys(found)])].sort();
    return keys.flatMap((key) => differences(found[key], wanted[key], [...path, key]));
  }
  if (canonicalJson(found) === canonicalJson(wanted)) return [];
  return [{ path, found: describe(found), wanted: describe(wanted) }];
}

function describe(value: unknown): string {
  return value === undefined ? 'absent' : canonicalJson(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
