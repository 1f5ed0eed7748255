import { connect, Events, type NatsConnection } from 'nats';
import { describeError } from '../describe-error.js';
import type { RuntimeLogger } from '../logger.js';
import { MESH_TIMINGS } from './timings.js';

export interface MeshLinkOptions {
  /** `HECATE_MESH_URL`'s servers, at least one. */
  readonly urls: readonly string[];
  /** The connection's name as NATS monitoring shows it: `<service>@<version>`. */
  readonly name: string;
  readonly log: RuntimeLogger;
}

/**
 * The connection to NATS: connects in the background, reconnects forever with jittered waits,
 * and tells its listeners each time it is (re)connected, so discovery sweeps again and the
 * advertisement is announced again. `connected` is false from a disconnect until the reconnect.
 */
export class MeshLink {
  readonly #options: MeshLinkOptions;
  readonly #listeners: ((connection: NatsConnection) => void)[] = [];
  #connection: NatsConnection | undefined;
  #connected = false;
  #closed = false;
  #first: Promise<void> = Promise.resolve();
  #problem: string | undefined;

  constructor(options: MeshLinkOptions) {
    this.#options = options;
  }

  get connection(): NatsConnection | undefined {
    return this.#connection;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Why the link is not connected, for the `mesh` check; undefined while connected. */
  get problem(): string | undefined {
    if (this.#connected) return undefined;
    return this.#problem ?? `disconnected from ${this.#options.urls.join(', ')}; reconnecting`;
  }

  /** Calls `listener` on every connection and reconnection from now on. */
  onConnected(listener: (connection: NatsConnection) => void): void {
    this.#listeners.push(listener);
    if (this.#connected && this.#connection !== undefined) listener(this.#connection);
  }

  /** Starts connecting; not awaited, since an unreachable NATS must not hold the boot. */
  start(): void {
    this.#first = this.#connect().catch((error: unknown) => {
      this.#problem = `connecting to ${this.#options.urls.join(', ')} failed: ${describeError(error)}`;
      this.#options.log.error(this.#problem, { error });
    });
  }

  /** Resolves once the first connection is made (or failed for good): for tests and tools. */
  firstConnection(): Promise<void> {
    return this.#first;
  }

  /** Drains the connection (subscriptions finish what they hold, then it closes). */
  async close(): Promise<void> {
    // A first connection still pending is not waited for (NATS may be unreachable for good): it
    // closes itself when it lands, seeing the link closed.
    this.#closed = true;
    this.#connected = false;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined && !connection.isClosed()) await connection.drain();
  }

  async #connect(): Promise<void> {
    const connection = await connect({
      servers: [...this.#options.urls],
      name: this.#options.name,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: MESH_TIMINGS.reconnectWaitMs,
      reconnectJitter: MESH_TIMINGS.reconnectJitterMs,
    });
    if (this.#closed) {
      await connection.close();
      return;
    }
    this.#connection = connection;
    this.#connected = true;
    this.#options.log.info('mesh connected', { server: connection.getServer() });
    void this.#watchStatus(connection);
    this.#tell(connection);
  }

  #tell(connection: NatsConnection): void {
    for (const listener of this.#listeners) listener(connection);
  }

  async #watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        this.#connected = false;
        this.#options.log.warn('mesh disconnected; reconnecting', { server: String(status.data) });
      } else if (status.type === Events.Reconnect) {
        this.#connected = true;
        this.#options.log.info('mesh reconnected', { server: String(status.data) });
        this.#tell(connection);
      }
    }
  }
}
