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
});
