import type { Clock } from './health-monitor.js';
import type { RuntimeLogger } from './logger.js';

/** The steps of a graceful shutdown, in the order they run. */
export interface ShutdownSteps {
  /** Readiness turns 503 and the signal given to `start()` aborts. */
  readonly beginDraining: () => void;
  readonly withdraw: () => Promise<void>;
  /** Waits for answers in flight. */
  readonly drain: () => Promise<void>;
  /** Calls `stop(state)` with what `start()` returned. */
  readonly stop: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export async function runShutdown(steps: ShutdownSteps): Promise<void> {
  steps.beginDraining();
  await steps.withdraw();
  await steps.drain();
  await steps.stop();
  await steps.close();
}

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/** Exit codes a shell reports for a process killed by the signal: 128 + its number. */
const SIGNAL_EXIT_CODES: Record<ShutdownSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface SignalSource {
  on(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
}

export interface TrapOptions {
  readonly signals: SignalSource;
  readonly steps: ShutdownSteps;
  readonly deadlineMs: number;
  readonly log: RuntimeLogger;
  readonly clock: Clock;
  readonly exit: (code: number) => void;
}

/**
 * The first SIGTERM or SIGINT runs the shutdown once, under a deadline; a second signal, an
 * exceeded deadline or a failed step exits at once with a non-zero code.
 */
export function trapShutdownSignals({ signals, steps, deadlineMs, log, clock, exit }: TrapOptions): void {
  let shuttingDown = false;
  const onSignal = (signal: ShutdownSignal): void => {
    if (shuttingDown) {
      log.fatal(`${signal} received during shutdown: exiting at once`, { signal });
      exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    shuttingDown = true;
    log.info('shutting down', { signal, deadlineMs });
    const cancelDeadline = clock.setTimer(() => {
      log.fatal(`shutdown did not finish within ${deadlineMs} ms (HECATE_SHUTDOWN_TIMEOUT_MS): exiting at once`);
      exit(1);
    }, deadlineMs);
    runShutdown(steps).then(
      () => {
        cancelDeadline();
        log.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        cancelDeadline();
        log.fatal('shutdown failed', { error });
        exit(1);
      },
    );
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
}
