import { describe, expect, it } from 'vitest';
import { parseJson } from '../src/validate/json-syntax.js';

describe('parseJson', () => {
  it('reports a broken file nested deeper than the error locator can follow as one error, not a stack overflow', () => {
    expect(parseJson(`${'['.repeat(100_000)}\n`, 100)).toEqual({
      ok: false,
      errors: [{ line: 1, column: 1, message: 'Unexpected end of JSON input (nested too deeply to locate every error)' }],
      count: 1,
    });
  });

  it('keeps the first errors up to the limit and counts every one, each token once', () => {
    expect(parseJson('[1 1 1 1]', 2)).toEqual({
      ok: false,
      errors: [
        { line: 1, column: 4, message: 'comma expected, found "1"' },
        { line: 1, column: 6, message: 'comma expected, found "1"' },
      ],
      count: 3,
    });
  });
});
