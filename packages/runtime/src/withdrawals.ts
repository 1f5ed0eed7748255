import type { Logger } from '@hecate-om/contract';
import { describeError } from './describe-error.js';

interface Withdrawal {
  readonly name: string;
  readonly withdraw: () => void | boolean | Promise<void | boolean>;
}

/**
 * What the runtime has announced to others (mesh advertisements) and must take back first at
 * shutdown, before the drain, so that no new work is routed to a service on its way out.
 */
export class Withdrawals {
  readonly #entries: Withdrawal[] = [];

  add(name: string, withdraw: () => void | boolean | Promise<void | boolean>): void {
    this.#entries.push({ name, withdraw });
  }

  /**
   * Last announced, first withdrawn; a failure is logged and does not keep the others announced.
   * One that had announced nothing (`false`) is not said to be withdrawn.
   */
  async runAll(log: Logger): Promise<void> {
    for (const { name, withdraw } of [...this.#entries].reverse()) {
      try {
        if ((await withdraw()) !== false) log.info('withdrawn', { withdrawal: name });
      } catch (error) {
        log.error(`withdrawing ${name} failed: ${describeError(error)}`, { withdrawal: name });
      }
    }
  }
}
