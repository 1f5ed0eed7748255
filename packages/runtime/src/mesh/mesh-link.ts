import { MESH_FILES, RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { connect, DebugEvents, Events, NatsError, type Authenticator, type NatsConnection } from 'nats';
import { describeError } from '../describe-error.js';
import type { RuntimeLogger } from '../logger.js';
import { readNatsCredentials } from './nats-credentials.js';
import { ReconnectWaits } from './reconnect-waits.js';
import { backoffMs, MESH_TIMINGS } from './timings.js';

/** What the link connects with, and how its problems name it. */
interface LinkCredentials {
  readonly authenticator: Authenticator | undefined;
  readonly file?: string;
  /** ` with the credentials in <file>`, ` without credentials (...)`, or empty when no secrets directory is read. */
  readonly described: string;
}

const NO_CREDENTIALS: LinkCredentials = { authenticator: undefined, described: '' };

export interface MeshLinkOptions {
  /** `HECATE_MESH_URL`'s servers, at least one. */
  readonly urls: readonly string[];
  /** The connection's name as NATS monitoring shows it: `<service>@<version>`. */
  readonly name: string;
  readonly log: RuntimeLogger;
  /** Where `nats.creds` or `nats.nk` are read from; absent: no credentials. */
  readonly secretsDir?: string;
  /** Spreads the waits between connection attempts. */
  readonly random: () => number;
}

/**
 * The connection to NATS: connects in the background, reconnects forever with growing, jittered
 * waits (`MESH_TIMINGS.reconnect`),
 * and tells its listeners each time it is (re)connected, so discovery sweeps again and the
 * advertisement is announced again. `connected` is false from a disconnect until the reconnect.
 * A connection is dialled by the link itself when none was made yet (the client's own wait on a
 * first connection says nothing of why it fails) and when the client gives one up (a server that
 * refuses the credentials at a reconnection): a refused port, a host that does not resolve or
 * refused credentials are logged with their cause, on the first failure and on each change of
 * cause, shown in `problem`, and tried again after a wait that grows, never in a tight loop.
 */
export class MeshLink {
  readonly #options: MeshLinkOptions;
  readonly #listeners: ((connection: NatsConnection) => void)[] = [];
  #connection: NatsConnection | undefined;
  #connected = false;
  #closed = false;
  #madeFirst: () => void = () => {};
  readonly #first = new Promise<void>((resolve) => {
    this.#madeFirst = resolve;
  });
  #problem: string | undefined;
  #disconnects = 0;
  #credentials: LinkCredentials = NO_CREDENTIALS;
  /** Connection attempts failed (or connections given up by the client) in a row. */
  #failures = 0;
  /** The cause last logged, so a failure repeating itself is logged once. */
  #loggedCause: string | undefined;
  #retry: NodeJS.Timeout | undefined;

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
    if (this.#problem !== undefined) return this.#problem;
    if (this.#connection !== undefined) return `disconnected from ${this.#options.urls.join(', ')}; reconnecting`;
    return `connecting to ${this.#options.urls.join(', ')}`;
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
    const { secretsDir, log } = this.#options;
    if (secretsDir !== undefined) {
      const credentials = await readNatsCredentials(secretsDir);
      if (!credentials.ok) throw new Error(credentials.message);
      this.#credentials =
        credentials.file === undefined
          ? { authenticator: undefined, described: ` without credentials (no ${MESH_FILES.credentials} or ${MESH_FILES.nkeySeed} in ${secretsDir})` }
          : { authenticator: credentials.authenticator, file: credentials.file, described: ` with the credentials in ${credentials.file}` };
      if (credentials.file !== undefined) log.info('mesh credentials read', { file: credentials.file });
    }
    void this.#connect();
  }

  /** Resolves once the first connection is made (or the link closed before): for tests and tools. */
  firstConnection(): Promise<void> {
    return this.#first;
  }

  /** Drains the connection (subscriptions finish what they hold, then it closes); closes one that is down. */
  async close(): Promise<void> {
    // A connection attempt still pending is not waited for (NATS may be unreachable for good): it
    // closes itself when it lands, seeing the link closed.
    const wasConnected = this.#connected;
    this.#closed = true;
    this.#connected = false;
    this.#madeFirst();
    clearTimeout(this.#retry);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined || connection.isClosed()) return;
    // A drain flushes through the server: on a connection that is down it would wait for a
    // reconnection that may never come, and hold the shutdown until its deadline.
    if (wasConnected) await connection.drain();
    else await connection.close();
  }

  /** One connection, which the client reconnects forever on its own until it gives it up. */
  async #connect(): Promise<void> {
    const { urls, name, log } = this.#options;
    const waits = new ReconnectWaits(this.#options.random);
    let connection: NatsConnection;
    try {
      connection = await connect({
        ...(this.#credentials.authenticator === undefined ? {} : { authenticator: this.#credentials.authenticator }),
        servers: [...urls],
        name,
        maxReconnectAttempts: -1,
        reconnectDelayHandler: waits.delay,
        // The client otherwise captures a stack trace per request, for an error the mesh turns into
        // a structured value that names the provider and capability: a cost on every call for nothing.
        noAsyncTraces: true,
      });
    } catch (error) {
      this.#retryAfter(`cannot connect to ${urls.join(', ')}${this.#withCredentials(error)}`, causeOf(error));
      return;
    }
    if (this.#closed) {
      await connection.close();
      return;
    }
    this.#connection = connection;
    this.#connected = true;
    this.#failures = 0;
    this.#loggedCause = undefined;
    this.#problem = undefined;
    log.info('mesh connected', { server: connection.getServer() });
    this.#madeFirst();
    void this.#watchStatus(connection, waits);
    void connection.closed().then((error) => {
      if (this.#closed || this.#connection !== connection) return;
      this.#connected = false;
      this.#retryAfter(`the connection to ${urls.join(', ')}${this.#withCredentials(error)} was given up`, error === undefined ? 'closed by the server' : causeOf(error));
    });
    this.#tell(connection);
  }

  /** Which credentials were refused, for a failure the server's authorization caused; empty for another. */
  #withCredentials(error: unknown): string {
    return error instanceof NatsError && error.isAuthError() ? this.#credentials.described : '';
  }

  /** Says why connecting failed (in the log once per cause, in `problem` always), then tries again after a growing wait. */
  #retryAfter(what: string, cause: string): void {
    if (this.#closed) return;
    this.#failures += 1;
    const delayMs = backoffMs(this.#failures, MESH_TIMINGS.reconnect, this.#options.random);
    this.#problem = `${what}: ${cause}; trying again in ${(delayMs / 1000).toFixed(1)} s (attempt ${this.#failures})`;
    if (cause !== this.#loggedCause) {
      const { variable } = RUNTIME_SETTINGS.meshUrls;
      const { file } = this.#credentials;
      this.#options.log.warn(`${this.#problem} (${variable})`, { variable, servers: this.#options.urls, cause, ...(file === undefined ? {} : { file }) });
      this.#loggedCause = cause;
    }
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, delayMs);
    this.#retry.unref();
  }

  #tell(connection: NatsConnection): void {
    for (const listener of this.#listeners) listener(connection);
  }

  async #watchStatus(connection: NatsConnection, waits: ReconnectWaits): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === DebugEvents.Reconnecting) {
        waits.attempted();
      } else if (status.type === Events.Disconnect) {
        waits.reset();
        this.#connected = false;
        this.#disconnects++;
        this.#options.log.warn('mesh disconnected; reconnecting', { server: String(status.data) });
      } else if (status.type === Events.Reconnect) {
        waits.reset();
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
