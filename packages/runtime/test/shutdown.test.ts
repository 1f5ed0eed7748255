import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { trapShutdownSignals, type ShutdownSteps } from '../src/shutdown.js';
import { Withdrawals } from '../src/withdrawals.js';
import { ManualClock } from './manual-clock.js';

/** Steps that record their order; `stop` waits until the test releases it. */
function recordingSteps(): { steps: ShutdownSteps; calls: string[]; releaseStop: () => void; failStop: (error: Error) => void } {
  const calls: string[] = [];
  let releaseStop = (): void => {};
  let failStop = (_error: Error): void => {};
  const stopped = new Promise<void>((resolve, reject) => {
    releaseStop = resolve;
    failStop = reject;
  });
  const step = (name: string) => async (): Promise<void> => {
    calls.push(name);
  };
  return {
    calls,
    releaseStop: () => releaseStop(),
    failStop: (error) => failStop(error),
    steps: {
      beginDraining: () => calls.push('beginDraining'),
      withdraw: step('withdraw'),
      drain: step('drain'),
      stop: async () => {
        calls.push('stop');
        await stopped;
      },
      close: step('close'),
    },
  };
}

function trap(steps: ShutdownSteps): { signals: EventEmitter; clock: ManualClock; exits: number[]; lines: string[]; settled: () => Promise<void> } {
  const signals = new EventEmitter();
  const clock = new ManualClock();
  const exits: number[] = [];
  const lines: string[] = [];
  const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(line) });
  trapShutdownSignals({ signals, steps, deadlineMs: 3000, log, clock, exit: (code) => exits.push(code) });
  return { signals, clock, exits, lines, settled: () => new Promise((resolve) => setImmediate(resolve)) };
}

const messages = (lines: string[]): string[] => lines.map((line) => JSON.parse(line).message);

describe('trapShutdownSignals', () => {
  it('turns not ready, withdraws, drains, stops and closes once, in that order, and exits 0', async () => {
    const recorded = recordingSteps();
    const { signals, exits, lines, settled } = trap(recorded.steps);
    signals.emit('SIGTERM', 'SIGTERM');
    await settled();
    expect(recorded.calls).toEqual(['beginDraining', 'withdraw', 'drain', 'stop']);
    recorded.releaseStop();
    await settled();
    expect(recorded.calls).toEqual(['beginDraining', 'withdraw', 'drain', 'stop', 'close']);
    expect(exits).toEqual([0]);
    expect(messages(lines)).toEqual(['shutting down', 'stopped']);
  });

  it('exits at once with 128 + the signal number on a second signal', async () => {
    const recorded = recordingSteps();
    const { signals, exits, lines, settled } = trap(recorded.steps);
    signals.emit('SIGTERM', 'SIGTERM');
    await settled();
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    expect(recorded.calls.filter((call) => call === 'stop')).toHaveLength(1);
    expect(messages(lines)).toEqual(['shutting down', 'SIGINT received during shutdown: exiting at once']);
  });

  it('exits 1 when the deadline passes before the shutdown finished', async () => {
    const recorded = recordingSteps();
    const { signals, clock, exits, lines, settled } = trap(recorded.steps);
    signals.emit('SIGINT', 'SIGINT');
    await settled();
    clock.advance(2999);
    expect(exits).toEqual([]);
    clock.advance(1);
    expect(exits).toEqual([1]);
    expect(messages(lines).at(-1)).toBe('shutdown did not finish within 3000 ms (HECATE_SHUTDOWN_TIMEOUT_MS): exiting at once');
  });

  it('exits 1 with the error when stop() fails, and cancels the deadline', async () => {
    const recorded = recordingSteps();
    const { signals, clock, exits, lines, settled } = trap(recorded.steps);
    signals.emit('SIGTERM', 'SIGTERM');
    await settled();
    recorded.failStop(new Error('disk full'));
    await settled();
    expect(exits).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ level: 'fatal', message: 'shutdown failed', error: { message: 'disk full' } });
  });
});

describe('Withdrawals', () => {
  it('withdraws the last announcement first and goes on past a failure', async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(line) });
    const withdrawals = new Withdrawals();
    withdrawals.add('mesh echo.say', () => {
      order.push('echo.say');
    });
    withdrawals.add('mesh echo.shout', () => {
      order.push('echo.shout');
      throw new Error('mesh unreachable');
    });
    await withdrawals.runAll(log);
    expect(order).toEqual(['echo.shout', 'echo.say']);
    expect(messages(lines)).toEqual(['withdrawing mesh echo.shout failed: Error: mesh unreachable', 'withdrawn']);
  });

  it('says nothing of a withdrawal that had announced nothing', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(line) });
    const withdrawals = new Withdrawals();
    withdrawals.add('mesh advertisement', async () => false);
    withdrawals.add('mesh echo.say', async () => true);
    await withdrawals.runAll(log);
    expect(lines.map((line) => JSON.parse(line) as { message: string; withdrawal: string }).map(({ message, withdrawal }) => `${message} ${withdrawal}`)).toEqual(['withdrawn mesh echo.say']);
  });
});
