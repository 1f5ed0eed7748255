import { describeError } from '../describe-error.js';
import type { Clock } from '../health-monitor.js';
import type { RuntimeLogger } from '../logger.js';
import { backoffMs, MESH_TIMINGS } from './timings.js';

/** Whether the service may be advertised now, and if not, why. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** The effects the lifecycle drives, injected so it is tested without NATS or a process. */
export interface LifecycleEffects {
  /** The service's required checks (the service's own, the identity's where it is required). */
  readonly readiness: () => Promise<Readiness>;
  readonly connected: () => boolean;
  /** Advertises; rejects when NATS refuses. */
  readonly advertise: () => Promise<void>;
  readonly withdraw: () => Promise<void>;
}

/** Where the advertisement stands, for the `mesh` check. */
export type AdvertisementState =
  | { readonly name: 'waiting'; readonly reason: string }
  | { readonly name: 'advertised' }
  | { readonly name: 'failing'; readonly reason: string }
  | { readonly name: 'withdrawn'; readonly reason: string };

/**
 * Advertises the instance only while it is ready and connected, and withdraws it when it stops
 * being ready (health down, credential expired); re-advertises on recovery. It re-reads readiness
 * every `readinessPollMs` and whenever `wake()` is called (the runtime is ready, the link is back).
 * A failed advertisement is logged, shown by `state()`, and retried after 1 s doubling to 30 s,
 * each wait spread by ±25 % so a fleet does not retry in lockstep. Steps never overlap.
 */
export class AdvertisementLifecycle {
  readonly #effects: LifecycleEffects;
  readonly #log: RuntimeLogger;
  readonly #clock: Clock;
  readonly #random: () => number;
  #state: AdvertisementState = { name: 'waiting', reason: 'not advertised yet: the service is starting' };
  #advertised = false;
  #failures = 0;
  #retryAt = 0;
  #running = false;
  #step: Promise<void> = Promise.resolve();
  #cancelPoll: (() => void) | undefined;

  constructor(effects: LifecycleEffects, log: RuntimeLogger, clock: Clock, random: () => number) {
    this.#effects = effects;
    this.#log = log;
    this.#clock = clock;
    this.#random = random;
  }

  state(): AdvertisementState {
    return this.#state;
  }

  /** Starts the polling; the first step runs at once. */
  start(): void {
    this.#running = true;
    this.#poll();
  }

  /** Runs a step now (serialized after any in progress); resolves when it is done. */
  wake(): Promise<void> {
    this.#step = this.#step.then(() => this.#runStep());
    return this.#step;
  }

  /**
   * The advertisement went with its connection (the client gave it up and a new one was made):
   * nothing to withdraw, and the next step advertises on the new one.
   */
  lost(reason: string): void {
    if (!this.#advertised) return;
    this.#advertised = false;
    this.#state = { name: 'waiting', reason: `not advertised: ${reason}` };
    this.#log.warn(`mesh: advertisement lost: ${reason}`, { reason });
  }

  /** Stops for good: no more steps, and the instance withdrawn if it was advertised; resolves whether it was. */
  async shutdown(reason: string): Promise<boolean> {
    this.#running = false;
    this.#cancelPoll?.();
    await this.#step;
    const advertised = this.#advertised;
    if (advertised) await this.#withdraw(reason, 'info');
    this.#state = { name: 'withdrawn', reason };
    return advertised;
  }

  #poll(): void {
    if (!this.#running) return;
    void this.wake().finally(() => {
      if (this.#running) this.#cancelPoll = this.#clock.setTimer(() => this.#poll(), MESH_TIMINGS.readinessPollMs);
    });
  }

  async #runStep(): Promise<void> {
    if (!this.#running) return;
    const readiness = await this.#effects.readiness();
    if (!this.#running) return;
    if (this.#advertised) {
      if (!readiness.ready) await this.#withdraw(readiness.reason, 'warn');
      return;
    }
    if (!readiness.ready) {
      this.#failures = 0;
      this.#state = { name: 'waiting', reason: `not advertised: ${readiness.reason}` };
      return;
    }
    if (!this.#effects.connected()) {
      this.#state = { name: 'waiting', reason: 'not advertised: not connected to NATS' };
      return;
    }
    if (this.#clock.now() < this.#retryAt) return;
    await this.#advertise();
  }

  async #advertise(): Promise<void> {
    try {
      await this.#effects.advertise();
      this.#advertised = true;
      this.#failures = 0;
      this.#state = { name: 'advertised' };
    } catch (error) {
      this.#failures++;
      const delayMs = backoffMs(this.#failures, MESH_TIMINGS.advertiseRetry, this.#random);
      this.#retryAt = this.#clock.now() + delayMs;
      const reason = `advertising on the mesh failed (attempt ${this.#failures}): ${describeError(error)}; retrying in ${(delayMs / 1000).toFixed(1)} s`;
      this.#state = { name: 'failing', reason };
      this.#log.error(reason, { error, attempt: this.#failures });
    }
  }

  /** `info` at shutdown, which is expected; `warn` when readiness was lost. */
  async #withdraw(reason: string, level: 'info' | 'warn'): Promise<void> {
    this.#advertised = false;
    this.#state = { name: 'withdrawn', reason: `withdrawn: ${reason}` };
    try {
      await this.#effects.withdraw();
      this.#log[level](`mesh: withdrawn: ${reason}`, { reason });
    } catch (error) {
      this.#log.error(`withdrawing from the mesh failed: ${describeError(error)}`, { error, reason });
    }
  }
}
