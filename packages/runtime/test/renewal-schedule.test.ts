import { describe, expect, it } from 'vitest';
import { renewalDelayMs, retryDelayMs } from '../src/identity/renewal-schedule.js';

const NBF = 1_800_000_000;
const atSeconds = (seconds: number): number => (NBF + seconds) * 1000;

describe('renewalDelayMs', () => {
  it('renews between half and three quarters of the lifetime, spread by the random draw', () => {
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(0), 0)).toBe(500_000);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(0), 0.5)).toBe(625_000);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(0), 0.999_999)).toBe(750_000);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(100), 0)).toBe(400_000);
  });

  it('renews at once past 90 % of the lifetime, and when the window has already passed', () => {
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(900), 0.9)).toBe(0);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(1500), 0)).toBe(0);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(800), 0)).toBe(0);
    expect(renewalDelayMs(NBF, NBF + 1000, atSeconds(800), 0.999)).toBe(0);
  });

  it('renews a credential with no lifetime at once', () => {
    expect(renewalDelayMs(NBF, NBF, atSeconds(0), 0.5)).toBe(0);
  });

  it('never follows a grant sooner than a tenth of its lifetime, and 1 s, however old it looks on arrival', () => {
    // A realm whose clock is 55 s behind: the 60 s credential looks 92 % used the moment it arrives.
    expect(renewalDelayMs(NBF, NBF + 60, atSeconds(55), 0.5, true)).toBe(6_000);
    expect(renewalDelayMs(NBF, NBF + 60, atSeconds(55), 0.5)).toBe(0);
    expect(renewalDelayMs(NBF, NBF, atSeconds(0), 0.5, true)).toBe(1_000);
    expect(renewalDelayMs(NBF, NBF + 5, atSeconds(5), 0, true)).toBe(1_000);
    // In the window, the grant's own schedule is later than the floor and stands.
    expect(renewalDelayMs(NBF, NBF + 60, atSeconds(0), 0, true)).toBe(30_000);
  });

  it('at the realm floor of 60 s, renews between 30 and 45 s after the grant', () => {
    expect([0, 0.5, 0.999_999].map((random) => renewalDelayMs(NBF, NBF + 60, atSeconds(0), random, true))).toEqual([30_000, 37_500, 45_000]);
  });
});

describe('retryDelayMs', () => {
  it('starts at 1 s and doubles, with ±25 % jitter', () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(attempt, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(0, 0)).toBe(750);
    expect(retryDelayMs(0, 0.999_999)).toBe(1250);
    expect(retryDelayMs(4, 0)).toBe(12_000);
  });

  it('never waits more than 5 minutes, however many attempts failed, and never gives up', () => {
    expect(retryDelayMs(8, 0.5)).toBe(256_000);
    expect(retryDelayMs(9, 0.5)).toBe(300_000);
    expect(retryDelayMs(9, 0.999_999)).toBe(300_000);
    expect(retryDelayMs(9, 0)).toBe(225_000);
    expect(retryDelayMs(10_000, 0.5)).toBe(300_000);
  });

  it('while the credential is valid, retries no later than half-way to its expiry, and not under 500 ms', () => {
    // A 60 s credential whose renewal at 45 s fails: 1, 2, 4 s, then half of what is left, never past the expiry.
    const attempts: number[] = [];
    let at = 45_000;
    for (let attempt = 0; at < 60_000; attempt += 1) {
      at += retryDelayMs(attempt, 0.5, 60_000 - at);
      attempts.push(at);
    }
    expect(attempts).toEqual([46_000, 48_000, 52_000, 56_000, 58_000, 59_000, 59_500, 60_000]);
    expect(retryDelayMs(9, 0.5, 10 * 60_000)).toBe(300_000);
    expect(retryDelayMs(3, 0.5, 0)).toBe(8_000);
    expect(retryDelayMs(3, 0.5, -5_000)).toBe(8_000);
    expect(retryDelayMs(3, 0.5, 200)).toBe(500);
  });
});
