import type { Health, HealthStatus } from '@hecate-om/contract';
import { describeError, showValue } from './describe-error.js';

/** How long one `health()` answer is served before the next probe asks again. */
export const HEALTH_CACHE_MS = 1000;

export interface HealthObservation {
  readonly status: HealthStatus;
  /** Why the service is degraded or down; absent when it is ok. */
  readonly reason?: string;
  /**
   * `false` holds readiness back under a `required` policy although the status is not down: the
   * identity part before its first credential is degraded (the realm may answer soon) but not ready.
   */
  readonly ready?: boolean;
}

/** Monotonic time and a cancellable timer: injected so tests decide when time passes. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface HealthMonitorOptions {
  readonly check: () => Health | Promise<Health>;
  readonly timeoutMs: number;
  readonly cacheMs: number;
  readonly clock: Clock;
  /**
   * Called when an observation's status differs from the last one's (the first is compared with
   * `ok`, the state `start()` returning implies), so that going down is said in the log.
   */
  readonly onChange?: (observation: HealthObservation, previous: HealthStatus) => void;
}

/**
 * Calls `health()` at most once per `cacheMs`, with a deadline, never two calls at once: a call that
 * outlives its deadline is reported down, and `health()` is not called again until that call has
 * settled, so a `health()` that hangs is never piled up. A probe gets the last observation at once,
 * even while a refresh is in flight; only the very first probe waits, and never longer than the timeout.
 */
export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  #last: HealthObservation | undefined;
  #inFlight: Promise<HealthObservation> | undefined;
  /** A `health()` call has not settled, past its deadline or not. */
  #callPending = false;
  #nextCheckAt = Number.NEGATIVE_INFINITY;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  /** The latest observation, refreshed in the background when stale; a promise only before the first. */
  observe(): HealthObservation | Promise<HealthObservation> {
    if (!this.#callPending && this.#options.clock.now() >= this.#nextCheckAt) this.#refresh();
    return this.#last ?? (this.#inFlight as Promise<HealthObservation>);
  }

  /** Resolves once no `health()` call is in flight (a call past its timeout no longer counts). */
  idle(): Promise<void> {
    return this.#inFlight === undefined ? Promise.resolve() : this.#inFlight.then(() => {});
  }

  #refresh(): void {
    const { check, timeoutMs, cacheMs, clock } = this.#options;
    let settled = false;
    const inFlight = new Promise<HealthObservation>((resolve) => {
      const settle = (observation: HealthObservation): void => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        const previous = this.#last?.status ?? 'ok';
        this.#last = observation;
        this.#inFlight = undefined;
        this.#nextCheckAt = clock.now() + cacheMs;
        if (observation.status !== previous) this.#options.onChange?.(observation, previous);
        resolve(observation);
      };
      const cancelTimeout = clock.setTimer(
        () => settle({ status: 'down', reason: `health() did not answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
      const threw = (error: unknown): void => settle({ status: 'down', reason: `health() threw ${describeError(error)}` });
      // Reading a malformed answer can throw (a getter); unguarded in the callback it would be an unhandled rejection.
      const settleWith = (health: unknown): void => {
        try {
          settle(observationOf(health));
        } catch (error) {
          threw(error);
        }
      };
      const answered = (health: unknown): void => {
        this.#callPending = false;
        settleWith(health);
      };
      const failed = (error: unknown): void => {
        this.#callPending = false;
        threw(error);
      };
      this.#callPending = true;
      try {
        const answer: unknown = check();
        if (isThenable(answer)) answer.then(answered, failed);
        else answered(answer);
      } catch (error) {
        failed(error);
      }
    });
    // A synchronous health() has settled already; keeping its promise would block later refreshes.
    if (!settled) this.#inFlight = inFlight;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** Maps what `health()` returned to an observation; anything outside the contract counts as down. */
export function observationOf(health: unknown): HealthObservation {
  if (health === 'ok') return { status: 'ok' };
  if (health !== null && typeof health === 'object') {
    const { degraded, down } = health as { degraded?: unknown; down?: unknown };
    if (typeof down === 'string') return { status: 'down', reason: down };
    if (typeof degraded === 'string') return { status: 'degraded', reason: degraded };
  }
  return {
    status: 'down',
    reason: `health() returned ${showValue(health)}; expected 'ok', { degraded: reason } or { down: reason }`,
  };
}
