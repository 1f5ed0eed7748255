import jsonc from 'jsonc-parser';

/** A place in a text file, both numbers 1-based as editors show them. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export interface JsonSyntaxError extends TextPosition {
  readonly message: string;
}

export type ParseJsonResult =
  | { readonly ok: true; readonly value: unknown }
  /** `errors` holds the first `limit` errors in file order; `count` is how many there are in all. */
  | { readonly ok: false; readonly errors: readonly JsonSyntaxError[]; readonly count: number };

/** The line and column of a character offset; lines end at \n (a \r before it is part of the line). */
export function positionAt(text: string, offset: number): TextPosition {
  return positionFinderOf(text)(offset);
}

/**
 * Finds lines by binary search over line starts indexed once: a file with an error on each of its
 * many lines would take quadratic time if every error scanned the text from its start.
 */
function positionFinderOf(text: string): (offset: number) => TextPosition {
  const lineStarts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };
}

/** `CloseBraceExpected` → `close brace expected`. */
function describeErrorCode(code: jsonc.ParseErrorCode): string {
  return jsonc
    .printParseErrorCode(code)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function foundText(text: string, offset: number, length: number): string {
  if (offset >= text.length) return 'the end of the file';
  return JSON.stringify(text.slice(offset, offset + Math.max(length, 1)));
}

/**
 * Parses strict JSON (no comments, no trailing commas). On failure, returns the first `limit` syntax
 * errors with their line and column (JSON.parse stops at the first and, on Node 20, says nowhere
 * where) and counts the rest without keeping them: a 5 MB file of commas holds five million errors.
 */
export function parseJson(text: string, limit: number): ParseJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const { message } = error as Error;
    const positionOf = positionFinderOf(text);
    const errors: JsonSyntaxError[] = [];
    let count = 0;
    // After one error the scanner often reports a second reading of the same token: keep the first.
    // The scanner only moves forward, so a repeat always follows the error it repeats.
    let lastOffset = -1;
    const onError = (code: jsonc.ParseErrorCode, offset: number, length: number): void => {
      if (offset === lastOffset) return;
      lastOffset = offset;
      count += 1;
      if (errors.length < limit) errors.push({ ...positionOf(offset), message: `${describeErrorCode(code)}, found ${foundText(text, offset, length)}` });
    };
    try {
      jsonc.visit(text, { onError }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    } catch (locatorError) {
      // jsonc's parser recurses once per nesting level: a few thousand open brackets overflow the stack.
      if (!(locatorError instanceof RangeError)) throw locatorError;
      return { ok: false, errors: [{ line: 1, column: 1, message: `${message} (nested too deeply to locate every error)` }], count: 1 };
    }
    if (count === 0) return { ok: false, errors: [{ line: 1, column: 1, message }], count: 1 };
    return { ok: false, errors, count };
  }
}
