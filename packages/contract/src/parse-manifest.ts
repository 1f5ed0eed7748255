import { z } from 'zod';
import { formatJsonPath } from './json-path.js';
import { contractHashOf, contractValuesOf } from './manifest.js';
import { ManifestSchema, type Manifest } from './schemas.js';

export const MANIFEST_SCHEMA_ID = 'https://hecate-om.dev/schemas/manifest-v1.json';

export interface ManifestProblem {
  /** JSON path of the offending value, such as `$.capabilities[1].name`. */
  readonly path: string;
  readonly message: string;
}

export type ParseManifestResult =
  | { readonly ok: true; readonly value: Manifest }
  | { readonly ok: false; readonly problems: readonly ManifestProblem[] };

export function problemsFromZodError(error: z.ZodError): ManifestProblem[] {
  return error.issues.map((issue) => ({ path: formatJsonPath(issue.path), message: issue.message }));
}

/**
 * Checks a parsed `manifest.json` against the schema and its own contract hash, and returns the
 * manifest or every problem found, each with its JSON path.
 */
export function parseManifest(input: unknown): ParseManifestResult {
  const parsed = ManifestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: problemsFromZodError(parsed.error) };
  const expectedHash = contractHashOf(contractValuesOf(parsed.data));
  if (parsed.data.contractHash !== expectedHash)
    return {
      ok: false,
      problems: [
        {
          path: '$.contractHash',
          message: `is ${parsed.data.contractHash} but the manifest's contract hashes to ${expectedHash}: the manifest was edited after it was derived`,
        },
      ],
    };
  return { ok: true, value: parsed.data };
}

/** The manifest's JSON Schema, generated from the zod schema so that the two cannot disagree. */
export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12' });
  return { $schema, $id: MANIFEST_SCHEMA_ID, ...schema };
}
