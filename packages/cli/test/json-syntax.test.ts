import { describe, expect, it } from 'vitest';
import { parseJson } from '../src/validate/json-syntax.js';

describe('parseJson', () => {
  it('reports a broken file nested deeper than the error locator can follow as one error, not a stack overflow', () => {
    expect(parseJson(`${'['.repeat(100_000)}\n`)).toEqual({
      ok: false,
      errors: [{ line: 1, column: 1, message: 'Unexpected end of JSON input (nested too deeply to locate every error)' }],
    });
  });
});
