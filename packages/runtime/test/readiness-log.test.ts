import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Readiness } from '../src/mesh/advertisement-lifecycle.js';
import { ReadinessLog } from '../src/readiness-log.js';
import { ManualClock } from './manual-clock.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setUp(initial: Readiness) {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(line) });
  const clock = new ManualClock();
  const state = { readiness: initial, reads: 0 };
  const readinessLog = new ReadinessLog(
    async () => {
      state.reads++;
      return state.readiness;
    },
    log,
    clock,
    1000,
  );
  const said = (): string[] => lines.map((line) => `${(JSON.parse(line) as { level: string }).level} ${(JSON.parse(line) as { message: string }).message}`);
  return { readinessLog, clock, state, said };
}

describe('ReadinessLog', () => {
  it('says ready at once when readiness holds at start, and reads nothing more until told', async () => {
    const { readinessLog, clock, state, said } = setUp({ ready: true });
    readinessLog.observe({ ready: false, reason: 'the service check is down: starting' });
    readinessLog.start();
    await settle();
    clock.advance(5000);
    await settle();
    expect(said()).toEqual(['info ready']);
    expect([state.reads, clock.pendingTimers]).toEqual([1, 0]);
  });

  it('says not ready with the reason, polls only while not ready, and says ready once it holds, then each transition', async () => {
    const { readinessLog, clock, state, said } = setUp({ ready: false, reason: 'the identity check is degraded: no credential yet' });
    readinessLog.start();
    await settle();
    clock.advance(1000);
    await settle();
    state.readiness = { ready: true };
    clock.advance(1000);
    await settle();
    expect([state.reads, clock.pendingTimers]).toEqual([3, 0]);
    readinessLog.observe({ ready: true });
    readinessLog.observe({ ready: false, reason: 'the service check is down: upstream refused' });
    readinessLog.stop();
    readinessLog.observe({ ready: true });
    expect(said()).toEqual([
      'warn not ready: the identity check is degraded: no credential yet',
      'info ready',
      'warn not ready: the service check is down: upstream refused',
    ]);
    expect(clock.pendingTimers).toBe(0);
  });
});
