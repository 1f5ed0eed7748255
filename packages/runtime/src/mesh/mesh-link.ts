import { RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { connect, Events, type Authenticator, type NatsConnection } from 'nats';
import { describeError } from '../describe-error.js';
import type { RuntimeLogger } from '../logger.js';
import { readNatsCredentials } from './nats-credentials.js';
import { MESH_TIMINGS } from './timings.js';

export interface MeshLinkOptions {
  /** `HECATE_MESH_URL`'s servers, at least one. */
  readonly urls: readonly string[];
  /** The connection's name as NATS monitoring shows it: `<service>@<version>`. */
  readonly name: string;
  readonly log: RuntimeLogger;
  /** Where `nats.creds` or `nats.nk` are read from; absent: no credentials. */
  readonly secretsDir?: string;
  /** Spreads the waits between first-connection attempts. */
  readonly random: () => number;
}

/**
 * The connection to NATS: connects in the background, reconnects forever with jittered waits,
 * and tells its listeners each time it is (re)connected, so discovery sweeps again and the
 * advertisement is announced again. `connected` is false from a disconnect until the reconnect.
 * Until the first connection it dials itself (the client's own wait on a first connection says
 * nothing of why it fails), so a server that refuses or a host that does not resolve is logged,
 * with its cause, on the first failure and on each change of cause, and shown in `problem`.
 */
export class MeshLink {
  readonly #options: MeshLinkOptions;
  readonly #listeners: ((connection: NatsConnection) => void)[] = [];
  #connection: NatsConnection | undefined;
  #connected = false;
  #closed = false;
  #first: Promise<void> = Promise.resolve();
  #problem: string | undefined;
  #disconnects = 0;

  constructor(options: MeshLinkOptions) {
    this.#options = options;
  }

  get connection(): NatsConnection | undefined {
    return this.#connection;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Whether a connection was made once and is down now: calls answer `disconnected` at once. */
  get lost(): boolean {
    return !this.#connected && this.#connection !== undefined;
  }

  /** How many times the connection was lost: a call in flight across a loss is not the provider's fault. */
  get disconnects(): number {
    return this.#disconnects;
  }

  /** Why the link is not connected, for the `mesh` check; undefined while connected. */
  get problem(): string | undefined {
    if (this.#connected) return undefined;
    if (this.#connection !== undefined) return `disconnected from ${this.#options.urls.join(', ')}; reconnecting`;
    return this.#problem ?? `connecting to ${this.#options.urls.join(', ')}`;
  }

  /** Calls `listener` on every connection and reconnection from now on. */
  onConnected(listener: (connection: NatsConnection) => void): void {
    this.#listeners.push(listener);
    if (this.#connected && this.#connection !== undefined) listener(this.#connection);
  }

  /**
   * Reads the credentials (throwing, to stop the boot, when a file is wrong), then starts
   * connecting without waiting: an unreachable NATS must not hold the boot.
   */
  async start(): Promise<void> {
    let authenticator: Authenticator | undefined;
    if (this.#options.secretsDir !== undefined) {
      const credentials = await readNatsCredentials(this.#options.secretsDir);
      if (!credentials.ok) throw new Error(credentials.message);
      authenticator = credentials.authenticator;
      if (credentials.file !== undefined) this.#options.log.info('mesh credentials read', { file: credentials.file });
    }
    this.#first = this.#connect(authenticator);
  }

  /** Resolves once the first connection is made (or the link closed before): for tests and tools. */
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

  async #connect(authenticator: Authenticator | undefined): Promise<void> {
    let connection: NatsConnection | undefined;
    let cause: string | undefined;
    while (connection === undefined) {
      if (this.#closed) return;
      try {
        connection = await connect({
          ...(authenticator === undefined ? {} : { authenticator }),
          servers: [...this.#options.urls],
          name: this.#options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: MESH_TIMINGS.reconnectWaitMs,
          reconnectJitter: MESH_TIMINGS.reconnectJitterMs,
          // The client otherwise captures a stack trace per request, for an error the mesh turns into
          // a structured value that names the provider and capability: a cost on every call for nothing.
          noAsyncTraces: true,
        });
      } catch (error) {
        const failed = causeOf(error);
        this.#problem = `cannot connect to ${this.#options.urls.join(', ')}: ${failed}; retrying every ${MESH_TIMINGS.reconnectWaitMs / 1000} s`;
        if (failed !== cause) {
          const variable = RUNTIME_SETTINGS.meshUrls.variable;
          this.#options.log.warn(`${this.#problem} (${variable})`, { variable, servers: this.#options.urls, cause: failed });
        }
        cause = failed;
        await sleep(MESH_TIMINGS.reconnectWaitMs + this.#options.random() * MESH_TIMINGS.reconnectJitterMs);
      }
    }
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
        this.#disconnects++;
        this.#options.log.warn('mesh disconnected; reconnecting', { server: String(status.data) });
      } else if (status.type === Events.Reconnect) {
        this.#connected = true;
        this.#options.log.info('mesh reconnected', { server: String(status.data) });
        this.#tell(connection);
      }
    }
  }
}

/** Why a connection attempt failed, as the operator searches for it: `ECONNREFUSED`, `ENOTFOUND`, or the client's code. */
function causeOf(error: unknown): string {
  const { code, chainedError } = error as { code?: unknown; chainedError?: { code?: unknown } };
  const cause = chainedError?.code ?? code;
  return typeof cause === 'string' ? cause : describeError(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
