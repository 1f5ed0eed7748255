import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/token/duration.js';
import { formatRelative, formatSpan, formatUnixSeconds } from '../src/token/human-time.js';

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['24h', 86_400],
    ['7d', 604_800],
    ['0', 0],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ ok: true, seconds });
  });

  it.each(['', '1.5h', '-5', '24 h', '2w', 'h', '1234567890'])('refuses %j, saying what a duration is', (text) => {
    expect(parseDuration(text)).toEqual({
      ok: false,
      message: `${JSON.stringify(text)} is not a duration: give whole seconds (3600) or a number with s, m, h or d (30m, 24h, 7d)`,
    });
  });
});

describe('human times', () => {
  it('prints Unix seconds as UTC without milliseconds', () => {
    expect(formatUnixSeconds(1_795_971_703)).toBe('2026-11-29T17:01:43Z');
    expect(formatUnixSeconds(0)).toBe('1970-01-01T00:00:00Z');
  });

  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [3_723, '1 h 2 min'],
    [90_061, '1 d 1 h'],
    [86_400 * 400 + 5, '400 d 5 s'],
  ])('spells a span of %i s in its two largest units: %s', (seconds, text) => {
    expect(formatSpan(seconds)).toBe(text);
  });

  it('says whether a time is past or to come', () => {
    expect(formatRelative(1_000, 1_000)).toBe('now');
    expect(formatRelative(1_310, 1_000)).toBe('in 5 min 10 s');
    expect(formatRelative(1_000, 1_310)).toBe('5 min 10 s ago');
  });
});
