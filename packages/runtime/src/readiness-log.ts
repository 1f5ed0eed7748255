import type { Clock } from './health-monitor.js';
import type { RuntimeLogger } from './logger.js';
import type { Readiness } from './mesh/advertisement-lifecycle.js';

/**
 * Says in the log when the instance becomes ready (`ready`, info) and when it stops being ready
 * (`not ready: <reason>`, warn), by what `/health/ready` answers: every required check ready.
 * Boot logs `started` when the parts have started; readiness may come later (a credential not
 * granted yet, a `health()` that is down). It reads readiness when told to (`observe`, `recheck`)
 * and polls every `pollMs` only while not ready, so a ready service's `health()` is not called
 * more often than its probes call it.
 */
export class ReadinessLog {
  readonly #read: () => Promise<Readiness>;
  readonly #log: RuntimeLogger;
  readonly #clock: Clock;
  readonly #pollMs: number;
  #ready: boolean | undefined;
  #started = false;
  #stopped = false;
  #cancelPoll: (() => void) | undefined;

  constructor(read: () => Promise<Readiness>, log: RuntimeLogger, clock: Clock, pollMs: number) {
    this.#read = read;
    this.#log = log;
    this.#clock = clock;
    this.#pollMs = pollMs;
  }

  /** Once every part has started: what is read from now on is said. */
  start(): void {
    this.#started = true;
    this.recheck();
  }

  /** Reads readiness now and says where it stands; polls on while it is not ready. */
  recheck(): void {
    if (!this.#started || this.#stopped) return;
    void this.#read().then((readiness) => this.observe(readiness));
  }

  /** Readiness as read by someone else (the mesh advertisement reads it every second). */
  observe(readiness: Readiness): void {
    if (!this.#started || this.#stopped || readiness.ready === this.#ready) return;
    this.#ready = readiness.ready;
    this.#cancelPoll?.();
    this.#cancelPoll = undefined;
    if (readiness.ready) {
      this.#log.info('ready');
      return;
    }
    this.#log.warn(`not ready: ${readiness.reason}`, { reason: readiness.reason });
    this.#poll();
  }

  /** At shutdown: not being ready then is expected, and nothing more is said. */
  stop(): void {
    this.#stopped = true;
    this.#cancelPoll?.();
  }

  #poll(): void {
    this.#cancelPoll = this.#clock.setTimer(() => {
      this.#cancelPoll = undefined;
      if (!this.#stopped && this.#ready === false) void this.#read().then((readiness) => (readiness.ready ? this.observe(readiness) : this.#poll()));
    }, this.#pollMs);
  }
}
