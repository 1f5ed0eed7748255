import { describe, expect, it } from 'vitest';
import { ReconnectWaits } from '../src/mesh/reconnect-waits.js';

/** A `random` that returns each of `values` in turn, then the last again. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[Math.min(next++, values.length - 1)]!;
}

describe('ReconnectWaits', () => {
  it('goes at once after a loss, then waits 2 s doubling up to 30 s, one step per attempt', () => {
    const waits = new ReconnectWaits(() => 0.5);
    const seen = [waits.delay()];
    for (let attempt = 0; attempt < 7; attempt++) {
      waits.attempted();
      seen.push(waits.delay());
    }
    expect(seen).toEqual([0, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('spreads each wait by ±25 %, drawn once per attempt however often the client asks', () => {
    const waits = new ReconnectWaits(sequence(0, 1, 0.5));
    waits.attempted();
    // The client asks on every pass of its dial loop: the wait it sleeps towards must not move.
    expect([waits.delay(), waits.delay(), waits.delay()]).toEqual([1500, 1500, 1500]);
    waits.attempted();
    expect(waits.delay()).toBe(5000);
    waits.attempted();
    expect(waits.delay()).toBe(8000);
  });

  it('starts over once connected again', () => {
    const waits = new ReconnectWaits(() => 0.5);
    waits.attempted();
    waits.attempted();
    expect(waits.delay()).toBe(4000);
    waits.reset();
    expect(waits.delay()).toBe(0);
    waits.attempted();
    expect(waits.delay()).toBe(2000);
  });
});
