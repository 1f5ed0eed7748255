import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { AdvertisementLifecycle, type Readiness } from '../src/mesh/advertisement-lifecycle.js';
import { ManualClock } from './manual-clock.js';

interface World {
  readiness: Readiness;
  connected: boolean;
  /** Each advertise() throws this while it is set. */
  refusal: Error | undefined;
  readonly effects: string[];
  readonly lines: { level: string; message: string }[];
  readonly clock: ManualClock;
  readonly lifecycle: AdvertisementLifecycle;
  /** Moves the clock on and lets the steps it started finish. */
  advance(ms: number): Promise<void>;
}

/** `random` 0.5 is no jitter at all: the waits below are the documented ones exactly. */
function world(random = 0.5): World {
  const clock = new ManualClock();
  const lines: { level: string; message: string }[] = [];
  const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(JSON.parse(line) as { level: string; message: string }) });
  const state = { readiness: { ready: true } as Readiness, connected: true, refusal: undefined as Error | undefined };
  const effects: string[] = [];
  const lifecycle = new AdvertisementLifecycle(
    {
      readiness: async () => state.readiness,
      connected: () => state.connected,
      advertise: async () => {
        effects.push('advertise');
        if (state.refusal !== undefined) throw state.refusal;
      },
      withdraw: async () => {
        effects.push('withdraw');
      },
    },
    log,
    clock,
    () => random,
  );
  const settle = async (): Promise<void> => {
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  return Object.assign(state, {
    effects,
    lines,
    clock,
    lifecycle,
    async advance(ms: number) {
      await settle();
      clock.advance(ms);
      await settle();
    },
  });
}

describe('AdvertisementLifecycle', () => {
  it('advertises at once when ready and connected, and not again while it stays so', async () => {
    const w = world();
    w.lifecycle.start();
    await w.advance(0);
    await w.advance(5000);
    expect(w.effects).toEqual(['advertise']);
    expect(w.lifecycle.state()).toEqual({ name: 'advertised' });
  });

  it('waits while not ready or not connected, saying why, and advertises on the step after it becomes so', async () => {
    const w = world();
    w.readiness = { ready: false, reason: 'the service check is down: upstream refused' };
    w.lifecycle.start();
    await w.advance(0);
    expect(w.lifecycle.state()).toEqual({ name: 'waiting', reason: 'not advertised: the service check is down: upstream refused' });
    w.readiness = { ready: true };
    w.connected = false;
    await w.advance(1000);
    expect(w.lifecycle.state()).toEqual({ name: 'waiting', reason: 'not advertised: not connected to NATS' });
    w.connected = true;
    await w.lifecycle.wake();
    expect(w.effects).toEqual(['advertise']);
  });

  it('withdraws within one poll of readiness lost, logging the reason, and advertises again on recovery', async () => {
    const w = world();
    w.lifecycle.start();
    await w.advance(0);
    w.readiness = { ready: false, reason: 'the identity check is down: the credential expired' };
    await w.advance(1000);
    expect(w.effects).toEqual(['advertise', 'withdraw']);
    expect(w.lifecycle.state()).toEqual({ name: 'withdrawn', reason: 'withdrawn: the identity check is down: the credential expired' });
    expect(w.lines.at(-1)).toMatchObject({ level: 'warn', message: 'mesh: withdrawn: the identity check is down: the credential expired' });
    w.readiness = { ready: true };
    await w.advance(1000);
    expect(w.effects).toEqual(['advertise', 'withdraw', 'advertise']);
  });

  it('retries a refused advertisement after 1, 2, 4 s (doubling), logging each attempt, and says so in its state', async () => {
    const w = world();
    w.refusal = new Error('permissions violation for subscription to "hecate.mesh.echo.say.v1"');
    w.lifecycle.start();
    await w.advance(0);
    expect(w.lifecycle.state()).toEqual({
      name: 'failing',
      reason: 'advertising on the mesh failed (attempt 1): Error: permissions violation for subscription to "hecate.mesh.echo.say.v1"; retrying in 1.0 s',
    });
    const attemptsAt = (ms: number): Promise<number> => w.advance(ms).then(() => w.effects.length);
    expect([await attemptsAt(1000), await attemptsAt(1000), await attemptsAt(1000), await attemptsAt(1000), await attemptsAt(1000)]).toEqual([2, 2, 3, 3, 3]);
    expect(await attemptsAt(1000)).toBe(3);
    expect(await attemptsAt(1000)).toBe(4);
    expect(w.lines.filter((line) => line.level === 'error').map((line) => line.message.replace(/ \(attempt \d\).*; retrying in/, ' … retrying in'))).toEqual([
      'advertising on the mesh failed … retrying in 1.0 s',
      'advertising on the mesh failed … retrying in 2.0 s',
      'advertising on the mesh failed … retrying in 4.0 s',
      'advertising on the mesh failed … retrying in 8.0 s',
    ]);
    w.refusal = undefined;
    await w.advance(8000);
    expect(w.lifecycle.state()).toEqual({ name: 'advertised' });
  });

  it('spreads the retry by up to ±25 % with the injected randomness, so a fleet does not retry in lockstep', async () => {
    const low = world(0);
    const high = world(1);
    for (const w of [low, high]) {
      w.refusal = new Error('refused');
      w.lifecycle.start();
      await w.advance(0);
    }
    expect(low.lifecycle.state()).toMatchObject({ reason: expect.stringContaining('retrying in 0.8 s') });
    expect(high.lifecycle.state()).toMatchObject({ reason: expect.stringContaining('retrying in 1.3 s') });
  });

  it('withdraws at shutdown, logged at info, and never advertises again', async () => {
    const w = world();
    w.lifecycle.start();
    await w.advance(0);
    await w.lifecycle.shutdown('shutting down');
    await w.advance(5000);
    expect(w.effects).toEqual(['advertise', 'withdraw']);
    expect(w.lines.at(-1)).toMatchObject({ level: 'info', message: 'mesh: withdrawn: shutting down' });
    expect(w.lifecycle.state()).toEqual({ name: 'withdrawn', reason: 'shutting down' });
    expect(w.clock.pendingTimers).toBe(0);
  });
});
