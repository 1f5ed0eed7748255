import { backoffMs, MESH_TIMINGS } from './timings.js';

/**
 * The client's waits between reconnection attempts (its `reconnectDelayHandler`), growing as
 * `MESH_TIMINGS.reconnect` says: the first attempt after a loss at once (another server of a
 * cluster may be up), then 2 s doubling up to 30 s. The client asks for the wait on every pass of
 * its dial loop, not once per attempt, so a wait is drawn once and kept until the next attempt,
 * which the connection's status tells (`attempted()`, on each `reconnecting` event, dispatched
 * before the attempt dials).
 */
export class ReconnectWaits {
  readonly #random: () => number;
  #attempts = 0;
  #drawn: number | undefined;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** Milliseconds from the last attempt before the next; for the client, so an arrow bound once. */
  readonly delay = (): number => (this.#drawn ??= this.#attempts === 0 ? 0 : backoffMs(this.#attempts, MESH_TIMINGS.reconnect, this.#random));

  /** An attempt is being made: the next wait is one step longer. */
  attempted(): void {
    this.#attempts += 1;
    this.#drawn = undefined;
  }

  /** Connected again, or a new loss: the next attempt goes at once. */
  reset(): void {
    this.#attempts = 0;
    this.#drawn = undefined;
  }
}
