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
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
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
    const found: jsonc.ParseError[] = [];
    jsonc.parse(text, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (found.length === 0) return { ok: false, errors: [{ line: 1, column: 1, message: (error as Error).message }] };
    // After one error the scanner often reports a second reading of the same token: keep the first.
    const firstAtEachOffset = found.filter((error, index) => found.findIndex((other) => other.offset === error.offset) === index);
    return {
      ok: false,
      errors: firstAtEachOffset.map(({ error: code, offset, length }) => ({
        ...positionAt(text, offset),
        message: `${describeErrorCode(code)}, found ${foundText(text, offset, length)}`,
      })),
    };
  }
}
