import { describe, expect, it } from 'vitest';
import { printable } from '../src/printable.js';

describe('printable', () => {
  it('leaves ordinary text, quotes and non-Latin letters alone', () => {
    expect(printable('{"status":"down","output":"Größe ≥ 3 – ok"}')).toBe('{"status":"down","output":"Größe ≥ 3 – ok"}');
  });

  it('escapes line breaks, terminal controls, bidirectional overrides and the backslash itself', () => {
    expect(printable('a\nb\r\tc\u0000\u001b[2J\u007f\u009b\u2028\u2029\u202e\u2066\\n')).toBe(
      'a\\nb\\r\\tc\\u0000\\u001b[2J\\u007f\\u009b\\u2028\\u2029\\u202e\\u2066\\\\n',
    );
  });
});
