import type { HecateService, StartOptions } from '@hecate-om/contract';
import type { HealthMonitor, HealthObservation } from './health-monitor.js';
import type { ReadinessPolicy, RuntimePart } from './runtime-part.js';

/** Where the service is in its life, as its check reports it. */
export type Phase =
  | { readonly name: 'starting' }
  | { readonly name: 'running' }
  | { readonly name: 'failed'; readonly reason: string }
  | { readonly name: 'draining' };

const PHASE_OBSERVATIONS = {
  starting: { status: 'down', reason: 'starting: start() has not finished' },
  draining: { status: 'down', reason: 'shutting down' },
} as const satisfies Record<string, HealthObservation>;

/**
 * The service itself, the first runtime part (`checks.service`, required for readiness): `start()`
 * with the options boot() gives it, `health()` through a HealthMonitor once it is running, and
 * `stop(state)` with what `start()` returned.
 */
export class ServicePart<State> implements RuntimePart {
  readonly name = 'service';
  readonly readiness: ReadinessPolicy = 'required';
  readonly #service: HecateService<State>;
  readonly #startOptions: () => StartOptions;
  readonly #monitor: HealthMonitor;
  #phase: Phase = { name: 'starting' };
  #started: Promise<State> | undefined;

  /** `startOptions` is read when `start()` is called: the config then holds the port actually bound. */
  constructor(service: HecateService<State>, startOptions: () => StartOptions, monitor: HealthMonitor) {
    this.#service = service;
    this.#startOptions = startOptions;
    this.#monitor = monitor;
  }

  /** Calls `start()`; rejects with what it threw. */
  async start(): Promise<void> {
    this.#started = Promise.resolve().then(() => this.#service.start(this.#startOptions()));
    await this.#started;
  }

  check(): HealthObservation | Promise<HealthObservation> {
    const phase = this.#phase;
    switch (phase.name) {
      case 'running':
        return this.#monitor.observe();
      case 'failed':
        return { status: 'down', reason: phase.reason };
      default:
        return PHASE_OBSERVATIONS[phase.name];
    }
  }

  setPhase(phase: Phase): void {
    this.#phase = phase;
  }

  /** Resolves once no `health()` call is in flight: health() must not run beside stop(). */
  idle(): Promise<void> {
    return this.#monitor.idle();
  }

  /** Calls `stop(state)` once `start()` has returned; a start() that failed has no state to stop. */
  async stop(): Promise<void> {
    if (this.#started === undefined) return;
    const outcome = await this.#started.then((state) => ({ state }), () => undefined);
    if (outcome !== undefined) await this.#service.stop(outcome.state);
  }
}
