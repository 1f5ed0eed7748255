import type { Capability, Manifest, Mesh, MeshCallOptions, MeshCallResult, MeshError, MeshHandler, MeshProvider } from '@hecate-om/contract';
import { connect, ErrorCode, Events, RequestStrategy, type Msg, type NatsConnection, type NatsError, type Service, type ServiceInfo, type ServiceMsg } from 'nats';
import { debug } from '../debug.js';
import { describeError } from '../describe-error.js';
import type { HealthObservation } from '../health-monitor.js';
import type { RuntimeLogger } from '../logger.js';
import type { ReadinessPolicy, RuntimePart } from '../runtime-part.js';
import { decodeJson, encodeJson, isAnswer, type Answer } from './envelope.js';
import { ProviderView } from './provider-view.js';
import { endpointName, instanceSubject, MESH_ANNOUNCE_SUBJECT, MESH_QUEUE_GROUP, METADATA, sharedSubject, type Addressing } from './subjects.js';

/** The mesh's timings, in one place (the runtime README's mesh section states them). */
export const MESH_TIMINGS = {
  /** Each call attempt waits this long for an answer unless the caller says otherwise. */
  callTimeoutMs: 5000,
  /** A sweep collects INFO replies for this long. */
  sweepWaitMs: 1000,
  /** Full re-sweeps, spread by ±20 % so a fleet does not sweep in lockstep. */
  sweepIntervalMs: 5000,
  sweepJitter: 0.2,
  /** Reconnect waits 2 s plus up to 1 s of jitter, forever: an always-on daemon never gives up. */
  reconnectWaitMs: 2000,
  reconnectJitterMs: 1000,
} as const;

export interface MeshPartOptions {
  /** `HECATE_MESH_URL`; empty: standalone. */
  readonly urls: readonly string[];
  readonly manifest: Manifest;
  readonly log: RuntimeLogger;
}

interface Announcement {
  readonly event: 'up' | 'down';
  readonly instance: string;
}

/**
 * The service's link to the NATS mesh (`checks.mesh`, optional for readiness). `mesh` is what
 * `start(opts)` receives: it registers handlers before the part starts. `start()` (after the
 * service's) refuses a declared capability left unserved, then connects, reconnecting forever;
 * once connected it advertises the instance as a micro service and keeps a view of the providers.
 * `withdraw()` stops the micro service (no call is routed here any more) and `stop()` drains the
 * connection.
 */
export class MeshPart implements RuntimePart {
  readonly name = 'mesh';
  readonly readiness: ReadinessPolicy = 'optional';
  readonly mesh: Mesh;
  /** Absent when standalone: a service without a mesh has no `mesh` check. */
  readonly check: (() => HealthObservation) | undefined;
  /** Absent when standalone: nothing was announced, so there is nothing to take back. */
  readonly withdraw: (() => Promise<void>) | undefined;
  readonly #options: MeshPartOptions;
  readonly #handlers = new Map<string, MeshHandler>();
  readonly #view = new ProviderView();
  readonly #encoder = new TextEncoder();
  #connection: NatsConnection | undefined;
  #service: Service | undefined;
  #connected = false;
  #withdrawn = false;
  #advertiseProblem: string | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> = Promise.resolve();

  constructor(options: MeshPartOptions) {
    this.#options = options;
    this.check = options.urls.length === 0 ? undefined : () => this.#observe();
    this.withdraw = options.urls.length === 0 ? undefined : () => this.#withdraw();
    this.mesh = {
      serve: (capability, handler) => this.#serve(capability, handler),
      call: (capability, payload, callOptions) => this.#call(capability, payload, callOptions),
      lookup: (capability) => this.#view.lookup(capability),
    };
  }

  get #standalone(): boolean {
    return this.#options.urls.length === 0;
  }

  async start(): Promise<void> {
    const unserved = [...new Set(this.#options.manifest.capabilities.map((capability) => capability.name))].filter((name) => !this.#handlers.has(name));
    if (unserved.length > 0)
      throw new Error(`start() returned without serving ${unserved.join(', ')}: call opts.mesh.serve(capability, handler) for every declared capability`);
    if (this.#standalone) {
      this.#options.log.info('standalone: HECATE_MESH_URL is not set, so no capability is advertised and mesh calls find no provider');
      return;
    }
    // Not awaited: the mesh is optional for readiness, so an unreachable NATS leaves the service
    // ready and the check down until the first connection, which is retried forever.
    this.#connecting = this.#connect().catch((error: unknown) => {
      this.#advertiseProblem = `connecting to ${this.#options.urls.join(', ')} failed: ${describeError(error)}`;
      this.#options.log.error(this.#advertiseProblem, { error });
    });
  }

  async #connect(): Promise<void> {
    const connection = await connect({
      servers: [...this.#options.urls],
      name: `${this.#options.manifest.name}@${this.#options.manifest.version}`,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: MESH_TIMINGS.reconnectWaitMs,
      reconnectJitter: MESH_TIMINGS.reconnectJitterMs,
    });
    if (this.#withdrawn) {
      await connection.close();
      return;
    }
    this.#connection = connection;
    this.#connected = true;
    this.#options.log.info('mesh connected', { server: connection.getServer() });
    void this.#watchStatus(connection);
    this.#listenForAnnouncements(connection);
    await this.#advertise(connection);
    if (this.#withdrawn) {
      await this.#withdraw();
      await connection.close();
      return;
    }
    await this.#sweep(connection);
  }

  /** Resolves once the first connection, advertisement and sweep are done (or failed): for tests. */
  connected(): Promise<void> {
    return this.#connecting;
  }

  #observe(): HealthObservation {
    if (this.#withdrawn) return { status: 'down', reason: 'withdrawn from the mesh' };
    if (!this.#connected) return { status: 'down', reason: `disconnected from ${this.#options.urls.join(', ')}; reconnecting` };
    if (this.#advertiseProblem !== undefined) return { status: 'down', reason: this.#advertiseProblem };
    return { status: 'ok' };
  }

  async #withdraw(): Promise<void> {
    this.#withdrawn = true;
    clearTimeout(this.#sweepTimer);
    const service = this.#service;
    const connection = this.#connection;
    if (service === undefined || connection === undefined) return;
    this.#service = undefined;
    connection.publish(MESH_ANNOUNCE_SUBJECT, this.#encoder.encode(JSON.stringify({ event: 'down', instance: service.info().id } satisfies Announcement)));
    await service.stop();
    debug('mesh: withdrew instance %s', service.info().id);
  }

  async stop(): Promise<void> {
    // A first connection still pending is not waited for (NATS may be unreachable for good): it
    // closes itself when it lands, seeing the part withdrawn.
    this.#withdrawn = true;
    clearTimeout(this.#sweepTimer);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined && !connection.isClosed()) await connection.drain();
  }

  #serve(capability: string, handler: MeshHandler): void {
    if (!this.#options.manifest.capabilities.some((declared) => declared.name === capability))
      throw new Error(`opts.mesh.serve("${capability}"): the service does not declare ${capability}; capabilities() declares ${this.#declaredNames()}`);
    if (this.#handlers.has(capability)) throw new Error(`opts.mesh.serve("${capability}"): ${capability} is already served`);
    this.#handlers.set(capability, handler);
  }

  #declaredNames(): string {
    const names = this.#options.manifest.capabilities.map((capability) => `${capability.name} v${capability.version}`);
    return names.length === 0 ? 'none' : names.join(', ');
  }

  /** Adds the micro service and its endpoints: every declared capability, shared and addressed. */
  async #advertise(connection: NatsConnection): Promise<void> {
    const { manifest } = this.#options;
    try {
      const service = await connection.services.add({
        name: manifest.name,
        version: manifest.version,
        description: manifest.description,
        metadata: {
          [METADATA.did]: '',
          [METADATA.realm]: '',
          [METADATA.contractHash]: manifest.contractHash,
          [METADATA.hecateOm]: manifest.runtime.hecateOm,
        },
      });
      const instance = service.info().id;
      for (const capability of manifest.capabilities) {
        this.#addEndpoint(service, capability, 'shared', sharedSubject(capability));
        this.#addEndpoint(service, capability, 'instance', instanceSubject(capability, instance));
      }
      this.#service = service;
      this.#advertiseProblem = undefined;
      connection.publish(MESH_ANNOUNCE_SUBJECT, this.#encoder.encode(JSON.stringify({ event: 'up', instance } satisfies Announcement)));
      this.#options.log.info('mesh: advertised', { instance, capabilities: manifest.capabilities.length });
    } catch (error) {
      this.#advertiseProblem = `advertising on the mesh failed: ${describeError(error)}`;
      this.#options.log.error(this.#advertiseProblem, { error });
    }
  }

  #addEndpoint(service: Service, capability: Capability, addressing: Addressing, subject: string): void {
    service.addEndpoint(endpointName(capability, addressing), {
      subject,
      queue: MESH_QUEUE_GROUP,
      metadata: { [METADATA.capability]: capability.name, [METADATA.version]: String(capability.version), [METADATA.addressing]: addressing },
      handler: (error, msg) => {
        if (error !== null) this.#options.log.error(`the ${subject} endpoint stopped: ${describeError(error)}`, { error });
        else void this.#answer(capability, msg);
      },
    });
  }

  async #answer(capability: Capability, msg: ServiceMsg): Promise<void> {
    const answer = await this.#handle(capability, msg);
    const encoded = encodeJson(answer, `the answer of ${capability.name}`);
    const bytes = encoded.ok ? encoded.bytes : this.#encoder.encode(JSON.stringify({ ok: false, error: encoded.error } satisfies Answer));
    // respondError makes the endpoint's STATS count the failure; the body carries it to the caller.
    if (encoded.ok && answer.ok) msg.respond(bytes);
    else msg.respondError(500, encoded.ok && !answer.ok ? answer.error.code : 'payload_too_large', bytes);
  }

  async #handle(capability: Capability, msg: Msg): Promise<Answer> {
    const payload = decodeJson(msg.data, 'the payload');
    if (!payload.ok) return { ok: false, error: { code: payload.message.includes('at most') ? 'payload_too_large' : 'handler_error', message: payload.message } };
    const handler = this.#handlers.get(capability.name);
    if (handler === undefined) return { ok: false, error: { code: 'handler_error', message: `${capability.name} is not served` } };
    try {
      return { ok: true, value: (await handler(payload.value, { capability: capability.name, version: capability.version })) ?? null };
    } catch (error) {
      debug('mesh: the %s handler threw %s', capability.name, describeError(error));
      return { ok: false, error: { code: 'handler_error', message: describeError(error) } };
    }
  }

  async #call(capability: string, payload: unknown, options: MeshCallOptions = {}): Promise<MeshCallResult> {
    const connection = this.#connection;
    if (connection === undefined)
      return failure('no_providers', this.#standalone ? 'standalone: HECATE_MESH_URL is not set' : 'the mesh is not connected yet');
    const encoded = encodeJson(payload, 'the payload');
    if (!encoded.ok) return { ok: false, error: encoded.error };
    const timeout = options.timeout ?? MESH_TIMINGS.callTimeoutMs;
    const candidates = this.#view.candidates(capability, options.minVersion ?? 1);
    let last: MeshError = { code: 'no_providers', message: `no instance advertises ${capability}${options.minVersion === undefined ? '' : ` v${options.minVersion} or later`}` };
    for (const provider of candidates) {
      const attempt = await this.#attempt(connection, provider, encoded.bytes, timeout);
      if (attempt.ok || !('retry' in attempt) || (attempt.error.code === 'timeout' && options.idempotent !== true)) return attempt.ok ? attempt : { ok: false, error: attempt.error };
      last = attempt.error;
    }
    return { ok: false, error: last };
  }

  async #attempt(
    connection: NatsConnection,
    provider: MeshProvider,
    bytes: Uint8Array,
    timeout: number,
  ): Promise<MeshCallResult | { readonly ok: false; readonly error: MeshError; readonly retry: true }> {
    let reply: Msg;
    try {
      reply = await connection.request(provider.subject, bytes, { timeout });
    } catch (error) {
      const code = (error as NatsError).code;
      if (code === ErrorCode.NoResponders) {
        // The server knows no subscriber: the instance is gone, whatever the last sweep said.
        this.#view.remove(provider.instance);
        return { ok: false, retry: true, error: { code: 'no_providers', message: `${provider.service} instance ${provider.instance} is gone` } };
      }
      if (code === ErrorCode.Timeout)
        return { ok: false, retry: true, error: { code: 'timeout', message: `${provider.service} instance ${provider.instance} did not answer ${provider.capability} within ${timeout} ms` } };
      return failure('no_providers', `calling ${provider.subject} failed: ${describeError(error)}`);
    }
    const decoded = decodeJson(reply.data, `the answer of ${provider.service} instance ${provider.instance}`);
    if (!decoded.ok || !isAnswer(decoded.value)) return failure('handler_error', decoded.ok ? `${provider.subject} answered something that is not a mesh answer` : decoded.message);
    const answer = decoded.value;
    return answer.ok ? { ok: true, value: answer.value, provider } : { ok: false, error: answer.error };
  }

  async #watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        this.#connected = false;
        this.#options.log.warn('mesh disconnected; reconnecting', { server: String(status.data) });
      } else if (status.type === Events.Reconnect) {
        this.#connected = true;
        this.#options.log.info('mesh reconnected', { server: String(status.data) });
      }
    }
  }

  #listenForAnnouncements(connection: NatsConnection): void {
    connection.subscribe(MESH_ANNOUNCE_SUBJECT, {
      callback: (error, msg) => {
        if (error !== null) return;
        const decoded = decodeJson(msg.data, 'an announcement');
        const announcement = decoded.ok ? (decoded.value as Partial<Announcement> | null) : null;
        if (typeof announcement?.instance !== 'string') return;
        if (announcement.event === 'down') this.#view.remove(announcement.instance);
        else if (announcement.event === 'up') void this.#sweepOne(connection, announcement.instance);
      },
    });
  }

  /** Replaces the view with every micro service that answers INFO now, then schedules the next sweep. */
  async #sweep(connection: NatsConnection): Promise<void> {
    try {
      const infos = await this.#collectInfo(connection);
      this.#view.replaceAll(infos);
      debug('mesh: a sweep found %d instances', infos.length);
    } catch (error) {
      this.#options.log.warn(`sweeping the mesh for providers failed: ${describeError(error)}`, { error });
    }
    if (this.#withdrawn || connection.isClosed()) return;
    const spread = 1 + (Math.random() * 2 - 1) * MESH_TIMINGS.sweepJitter;
    this.#sweepTimer = setTimeout(() => void this.#sweep(connection), MESH_TIMINGS.sweepIntervalMs * spread);
    this.#sweepTimer.unref();
  }

  async #sweepOne(connection: NatsConnection, instance: string): Promise<void> {
    try {
      for (const info of await this.#collectInfo(connection, instance)) this.#view.upsert(info);
    } catch (error) {
      debug('mesh: asking instance %s for its INFO failed: %s', instance, describeError(error));
    }
  }

  async #collectInfo(connection: NatsConnection, instance?: string): Promise<ServiceInfo[]> {
    const client = connection.services.client({ maxWait: MESH_TIMINGS.sweepWaitMs, strategy: RequestStrategy.Timer });
    const replies = await (instance === undefined ? client.info() : client.info(undefined, instance));
    const infos: ServiceInfo[] = [];
    for await (const info of replies) infos.push(info);
    return infos;
  }
}

function failure(code: MeshError['code'], message: string): MeshCallResult {
  return { ok: false, error: { code, message } };
}
