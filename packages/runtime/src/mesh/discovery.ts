import { ErrorCode, RequestStrategy, type NatsConnection, type NatsError, type ServiceInfo, type ServiceStats } from 'nats';
import { debug } from '../debug.js';
import { describeError } from '../describe-error.js';
import type { RuntimeLogger } from '../logger.js';
import { decodeJson } from './envelope.js';
import { ProviderView } from './provider-view.js';
import { MESH_ANNOUNCE_SUBJECT } from './subjects.js';
import { jittered, MESH_TIMINGS } from './timings.js';

/** What an instance publishes on `hecate.announce` when it advertises (`up`) and withdraws (`down`). */
export interface Announcement {
  readonly event: 'up' | 'down';
  /** The micro service's name and id: INFO addresses one instance as `$SRV.INFO.<service>.<instance>`. */
  readonly service: string;
  readonly instance: string;
}

const encoder = /* @__PURE__ */ new TextEncoder();

export function announce(connection: NatsConnection, announcement: Announcement): void {
  connection.publish(MESH_ANNOUNCE_SUBJECT, encoder.encode(JSON.stringify(announcement)));
}

/**
 * Keeps the provider view current from the micro protocol: a full INFO sweep on every
 * (re)connection and then every 5 s ± 20 %, and the announcements in between (an `up` is answered
 * by asking that one instance for its INFO, a `down` removes it at once, and no reply asked for
 * before the removal brings it back: ProviderView.moment). An instance that misses
 * a full sweep leaves the view, within `MESH_LEAVE_WITHIN_MS` of when it stopped answering. A sweep
 * that ends while this instance is cut off from NATS changes nothing: the providers did not leave.
 */
export class Discovery {
  readonly view = new ProviderView();
  readonly #log: RuntimeLogger;
  readonly #random: () => number;
  readonly #connected: () => boolean;
  readonly #waiting = new Set<() => void>();
  #swept = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #subscribed = new WeakSet<NatsConnection>();

  /** `connected` says whether this instance's own link to NATS is up now. */
  constructor(log: RuntimeLogger, connected: () => boolean, random: () => number = Math.random) {
    this.#log = log;
    this.#connected = connected;
    this.#random = random;
  }

  /** Whether a full sweep has filled the view since this instance first connected. */
  get swept(): boolean {
    return this.#swept;
  }

  /**
   * Resolves once the first full sweep is done (at once after it), or a provider of `capability`
   * comes into the view, or `ms` have passed: what a call made before the first sweep waits for.
   */
  firstSweep(ms: number, capability?: string): Promise<void> {
    if (this.#swept) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unlisten();
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unlisten = capability === undefined ? () => {} : this.view.listen(capability, (change) => change.type === 'added' && done());
      this.#waiting.add(done);
    });
  }

  /** On a connection or reconnection: listen for announcements (once per connection) and sweep now. */
  connected(connection: NatsConnection): void {
    if (this.#stopped) return;
    if (!this.#subscribed.has(connection)) {
      this.#subscribed.add(connection);
      this.#listen(connection);
    }
    void this.sweep(connection);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const done of [...this.#waiting]) done();
  }

  /** Replaces the view with every micro service that answers INFO now, then schedules the next sweep. */
  async sweep(connection: NatsConnection): Promise<void> {
    clearTimeout(this.#timer);
    try {
      const askedAt = this.view.moment();
      const infos = await collectInfo(connection);
      if (this.#stopped) return;
      if (this.#connected()) {
        this.view.replaceAll(infos, askedAt);
        debug('mesh: a sweep found %d instances', infos.length);
        this.#sweptOnce();
      } else debug('mesh: a sweep ended while disconnected; the view is kept as it was');
    } catch (error) {
      this.#log.warn(`sweeping the mesh for providers failed: ${describeError(error)}`, { error });
    }
    if (this.#stopped || connection.isClosed()) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sweep(connection), jittered(MESH_TIMINGS.sweepIntervalMs, MESH_TIMINGS.sweepJitter, this.#random));
    this.#timer.unref();
  }

  #sweptOnce(): void {
    this.#swept = true;
    for (const done of [...this.#waiting]) done();
  }

  #listen(connection: NatsConnection): void {
    connection.subscribe(MESH_ANNOUNCE_SUBJECT, {
      callback: (error, msg) => {
        if (error !== null || this.#stopped) return;
        const decoded = decodeJson(msg.data, 'an announcement');
        const announcement = decoded.ok ? (decoded.value as Partial<Announcement> | null) : null;
        if (typeof announcement?.instance !== 'string' || typeof announcement.service !== 'string') return;
        if (announcement.event === 'down') this.view.remove(announcement.instance);
        else if (announcement.event === 'up') void this.#sweepOne(connection, announcement.service, announcement.instance);
      },
    });
  }

  async #sweepOne(connection: NatsConnection, service: string, instance: string): Promise<void> {
    try {
      const askedAt = this.view.moment();
      for (const info of await collectInfo(connection, { service, instance })) if (!this.#stopped) this.view.upsert(info, askedAt);
    } catch (error) {
      debug('mesh: asking instance %s for its INFO failed: %s', instance, describeError(error));
    }
  }
}

/** The INFO replies of every micro service (or of one instance) that answer within `maxWait` ms. */
export function collectInfo(
  connection: NatsConnection,
  one?: { readonly service: string; readonly instance: string },
  maxWait: number = MESH_TIMINGS.sweepWaitMs,
): Promise<ServiceInfo[]> {
  const client = connection.services.client({ maxWait, strategy: RequestStrategy.Timer });
  return collect(one === undefined ? client.info() : client.info(one.service, one.instance));
}

/** The STATS replies of every micro service that answer within `maxWait` ms. */
export function collectStats(connection: NatsConnection, maxWait: number): Promise<ServiceStats[]> {
  return collect(connection.services.client({ maxWait, strategy: RequestStrategy.Timer }).stats());
}

async function collect<T>(asked: Promise<AsyncIterable<T>>): Promise<T[]> {
  const replies: T[] = [];
  try {
    for await (const reply of await asked) replies.push(reply);
  } catch (error) {
    // No micro service at all is an empty mesh, not a failure.
    if ((error as NatsError).code !== ErrorCode.NoResponders) throw error;
  }
  return replies;
}
