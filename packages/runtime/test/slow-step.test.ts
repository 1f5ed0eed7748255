import { describe, expect, it } from 'vitest';
import { reportWhileSlow } from '../src/slow-step.js';
import { ManualClock } from './manual-clock.js';

describe('reportWhileSlow', () => {
  it('reports after the first interval, then each time the elapsed time doubles, until cancelled', () => {
    const clock = new ManualClock();
    const reports: number[] = [];
    const cancel = reportWhileSlow(clock, 10_000, (elapsedMs) => reports.push(elapsedMs));
    clock.advance(9_999);
    expect(reports).toEqual([]);
    clock.advance(1);
    expect(reports).toEqual([10_000]);
    clock.advance(9_999);
    expect(reports).toEqual([10_000]);
    for (const ms of [1, 20_000, 40_000]) clock.advance(ms);
    expect(reports).toEqual([10_000, 20_000, 40_000, 80_000]);
    cancel();
    clock.advance(1_000_000);
    expect([reports.length, clock.pendingTimers]).toEqual([4, 0]);
  });

  it('reports nothing for a step that ends in time, and leaves no timer behind', () => {
    const clock = new ManualClock();
    const reports: number[] = [];
    const cancel = reportWhileSlow(clock, 10_000, (elapsedMs) => reports.push(elapsedMs));
    clock.advance(5_000);
    cancel();
    clock.advance(100_000);
    expect([reports, clock.pendingTimers]).toEqual([[], 0]);
  });
});
