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
  | { readonly ok: false; readonly errors: readonly JsonSyntaxError[] };

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
 * Parses strict JSON (no comments, no trailing commas). On failure, returns every syntax error
 * with its line and column: JSON.parse stops at the first and, on Node 20, says nowhere where.
 */
export function parseJson(text: string): ParseJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const { message } = error as Error;
    const found: jsonc.ParseError[] = [];
    try {
      jsonc.parse(text, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    } catch (locatorError) {
      // jsonc's parser recurses once per nesting level: a few thousand open brackets overflow the stack.
      if (!(locatorError instanceof RangeError)) throw locatorError;
      return { ok: false, errors: [{ line: 1, column: 1, message: `${message} (nested too deeply to locate every error)` }] };
    }
    if (found.length === 0) return { ok: false, errors: [{ line: 1, column: 1, message }] };
    // After one error the scanner often reports a second reading of the same token: keep the first.
    const seenOffsets = new Set<number>();
    const firstAtEachOffset = found.filter(({ offset }) => !seenOffsets.has(offset) && seenOffsets.add(offset));
    const positionOf = positionFinderOf(text);
    return {
      ok: false,
      errors: firstAtEachOffset.map(({ error: code, offset, length }) => ({
        ...positionOf(offset),
        message: `${describeErrorCode(code)}, found ${foundText(text, offset, length)}`,
      })),
    };
  }
}
