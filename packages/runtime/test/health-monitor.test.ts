import type { Health } from '@hecate-om/contract';
import { describe, expect, it } from 'vitest';
import { HealthMonitor, observationOf } from '../src/health-monitor.js';
import { ManualClock } from './manual-clock.js';

/** A health() whose answers the test hands out one call at a time. */
function controlledHealth(): { check: () => Promise<Health>; calls: number; answer: (health: Health) => void; fail: (error: unknown) => void } {
  const pending: { resolve: (health: Health) => void; reject: (error: unknown) => void }[] = [];
  const control = {
    calls: 0,
    check: () => {
      control.calls += 1;
      return new Promise<Health>((resolve, reject) => pending.push({ resolve, reject }));
    },
    answer: (health: Health) => pending.shift()?.resolve(health),
    fail: (error: unknown) => pending.shift()?.reject(error),
  };
  return control;
}

const monitorOf = (check: () => Health | Promise<Health>, clock: ManualClock): HealthMonitor =>
  new HealthMonitor({ check, clock, timeoutMs: 1000, cacheMs: 500 });

describe('HealthMonitor', () => {
  it('makes every probe before the first answer wait for the one call in flight', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const probes = Array.from({ length: 50 }, () => monitor.observe());
    health.answer({ degraded: 'cache is cold' });
    expect(await Promise.all(probes)).toEqual(Array(50).fill({ status: 'degraded', reason: 'cache is cold' }));
    expect(health.calls).toBe(1);
  });

  it('answers from the cache until the interval has passed, then calls health() once more', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const first = monitor.observe();
    health.answer('ok');
    await first;
    clock.advance(499);
    expect(monitor.observe()).toEqual({ status: 'ok' });
    expect(health.calls).toBe(1);
    clock.advance(1);
    expect(monitor.observe()).toEqual({ status: 'ok' });
    expect(monitor.observe()).toEqual({ status: 'ok' });
    expect(health.calls).toBe(2);
  });

  it('serves the last answer while a slow refresh is in flight, and the new one after', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const first = monitor.observe();
    health.answer('ok');
    await first;
    clock.advance(600);
    expect(monitor.observe()).toEqual({ status: 'ok' });
    clock.advance(600);
    expect(monitor.observe()).toEqual({ status: 'ok' });
    expect(health.calls).toBe(2);
    health.answer({ down: 'upstream refused' });
    await Promise.resolve();
    expect(monitor.observe()).toEqual({ status: 'down', reason: 'upstream refused' });
  });

  it('reports down when health() does not answer within the timeout, and ignores the late answer', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const probe = monitor.observe();
    clock.advance(1000);
    expect(await probe).toEqual({ status: 'down', reason: 'health() did not answer within 1000 ms' });
    health.answer('ok');
    await Promise.resolve();
    expect(monitor.observe()).toEqual({ status: 'down', reason: 'health() did not answer within 1000 ms' });
  });

  it('never calls health() again while a call that timed out still pends, and calls it once that call settles', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const probe = monitor.observe();
    clock.advance(1000);
    expect(await probe).toEqual({ status: 'down', reason: 'health() did not answer within 1000 ms' });
    for (let second = 0; second < 10; second += 1) {
      clock.advance(1000);
      expect(monitor.observe()).toEqual({ status: 'down', reason: 'health() did not answer within 1000 ms' });
    }
    expect(health.calls).toBe(1);
    health.answer('ok');
    await Promise.resolve();
    monitor.observe();
    expect(health.calls).toBe(2);
  });

  it('tells each change of status with the new observation and the previous status, starting from ok', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const changes: string[] = [];
    const monitor = new HealthMonitor({
      check: health.check,
      clock,
      timeoutMs: 1000,
      cacheMs: 500,
      onChange: (observation, previous) => changes.push(`${previous} -> ${observation.status}: ${observation.reason}`),
    });
    const answers: Health[] = ['ok', 'ok', { down: 'disk full' }, { down: 'disk still full' }, { degraded: 'slow disk' }, 'ok'];
    for (const answer of answers) {
      const observed = monitor.observe();
      health.answer(answer);
      await observed;
      await Promise.resolve();
      clock.advance(500);
    }
    void monitor.observe();
    clock.advance(1000);
    expect(changes).toEqual([
      'ok -> down: disk full',
      'down -> degraded: slow disk',
      'degraded -> ok: undefined',
      'ok -> down: health() did not answer within 1000 ms',
    ]);
  });

  it('reports down with the error when health() throws or rejects', async () => {
    const clock = new ManualClock();
    const throwing = monitorOf(() => {
      throw new TypeError('x is not a function');
    }, clock);
    expect(throwing.observe()).toEqual({ status: 'down', reason: 'health() threw TypeError: x is not a function' });

    const health = controlledHealth();
    const rejecting = monitorOf(health.check, clock);
    const probe = rejecting.observe();
    health.fail('plain string');
    expect(await probe).toEqual({ status: 'down', reason: 'health() threw "plain string"' });
  });

  it('reports down when reading what an async health() resolved to throws, as it does for a sync one', async () => {
    const unreadable = { get down(): string { throw new TypeError('status is not loaded'); } } as unknown as Health;
    const sync = monitorOf(() => unreadable, new ManualClock());
    expect(sync.observe()).toEqual({ status: 'down', reason: 'health() threw TypeError: status is not loaded' });
    const clock = new ManualClock();
    const observed = monitorOf(async () => unreadable, clock).observe();
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1000);
    expect(await observed).toEqual({ status: 'down', reason: 'health() threw TypeError: status is not loaded' });
  });

  it('is idle only once the call in flight has answered or timed out', async () => {
    const clock = new ManualClock();
    const health = controlledHealth();
    const monitor = monitorOf(health.check, clock);
    const events: string[] = [];
    await monitor.idle().then(() => events.push('idle before any call'));
    void monitor.observe();
    const idle = monitor.idle().then(() => events.push('idle after the answer'));
    events.push('answering');
    health.answer('ok');
    await idle;
    expect(events).toEqual(['idle before any call', 'answering', 'idle after the answer']);

    clock.advance(500);
    void monitor.observe();
    const idleAfterTimeout = monitor.idle().then(() => events.push('idle after the timeout'));
    clock.advance(1000);
    await idleAfterTimeout;
    expect(events.at(-1)).toBe('idle after the timeout');
  });

  it('answers a synchronous health() at once and leaves no timer behind', () => {
    const clock = new ManualClock();
    const monitor = monitorOf(() => 'ok', clock);
    expect(monitor.observe()).toEqual({ status: 'ok' });
    expect(clock.pendingTimers).toBe(0);
    clock.advance(500);
    expect(monitor.observe()).toEqual({ status: 'ok' });
  });
});

describe('observationOf', () => {
  it('maps the three answers of the contract', () => {
    expect(observationOf('ok')).toEqual({ status: 'ok' });
    expect(observationOf({ degraded: 'slow disk' })).toEqual({ status: 'degraded', reason: 'slow disk' });
    expect(observationOf({ down: 'no disk' })).toEqual({ status: 'down', reason: 'no disk' });
  });

  it('counts anything outside the contract as down, saying what came back', () => {
    expect(observationOf(undefined)).toEqual({
      status: 'down',
      reason: "health() returned undefined; expected 'ok', { degraded: reason } or { down: reason }",
    });
    expect(observationOf({ healthy: true })).toEqual({
      status: 'down',
      reason: `health() returned {"healthy":true}; expected 'ok', { degraded: reason } or { down: reason }`,
    });
  });
});
