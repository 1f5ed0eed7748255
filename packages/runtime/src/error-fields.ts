/** How many `cause` links are followed: enough for any real chain, and a chain that loops still ends. */
export const MAX_CAUSE_DEPTH = 8;
/** How many of an AggregateError's errors are written; `errorsNotShown` counts the rest. */
export const MAX_AGGREGATED_ERRORS = 16;

/** What every error has, written first; `cause` and `errors` are followed below. */
const WRITTEN_APART = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/**
 * An error as a log field: `name`, `message`, `stack`, then its own enumerable properties (Node's
 * `code`, `errno`, `syscall`, `address`, `port`, `path`), then `cause` (followed up to
 * MAX_CAUSE_DEPTH links) and an AggregateError's `errors` (the first MAX_AGGREGATED_ERRORS).
 * `fetch()` failing says only `fetch failed`: why is in its cause, often an AggregateError.
 */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) if (!WRITTEN_APART.has(key)) fields[key] = value;
  if ('cause' in error && error.cause !== undefined && depth < MAX_CAUSE_DEPTH)
    fields.cause = error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause;
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    const errors: unknown[] = error.errors;
    fields.errors = errors.slice(0, MAX_AGGREGATED_ERRORS).map((each) => (each instanceof Error ? errorFields(each, depth + 1) : each));
    if (errors.length > MAX_AGGREGATED_ERRORS) fields.errorsNotShown = errors.length - MAX_AGGREGATED_ERRORS;
  }
  return fields;
}
