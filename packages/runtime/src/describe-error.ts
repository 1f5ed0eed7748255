/** `TypeError: x is not a function`, or the thrown value itself when it is not an Error. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : showValue(error);
}

/** JSON where possible, so that strings show their quotes; never throws (bigint, cycles). */
export function showValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
