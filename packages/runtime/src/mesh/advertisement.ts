import type { Capability, HealthStatus, Manifest } from '@hecate-om/contract';
import type { NatsConnection, Service, ServiceMsg } from 'nats';
import { debug } from '../debug.js';
import { describeError } from '../describe-error.js';
import type { RuntimeLogger } from '../logger.js';
import { answerCall } from './answer.js';
import type { CallAuthorization, CallHeaders } from './authorization.js';
import { announce } from './discovery.js';
import { encodeJson, type Answer } from './envelope.js';
import { oversizedReply } from './reply-size.js';
import type { HandlerRegistry } from './handlers.js';
import { endpointName, instanceSubject, MESH_QUEUE_GROUP, METADATA, sharedSubject, type Addressing } from './subjects.js';

/** Who the instance is, for its micro metadata; empty strings while the runtime has no identity. */
export interface AdvertisedIdentity {
  readonly did: string;
  readonly realm: string;
}

export interface AdvertiseOptions {
  readonly manifest: Manifest;
  readonly identity: AdvertisedIdentity;
  readonly handlers: HandlerRegistry;
  readonly authorization: CallAuthorization;
  readonly log: RuntimeLogger;
  /** The instance's `/health` status, put in each endpoint's `$SRV.STATS` data as `{ health }`. */
  readonly health: () => Promise<HealthStatus>;
}

/** What each endpoint's `$SRV.STATS` reply carries in `data`: the instance's `/health` status when asked. */
export interface EndpointStatsData {
  readonly health: HealthStatus;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * One advertisement of the instance: a NATS micro service (ADR-32) with two endpoints per declared
 * capability (shared and addressed), announced `up`; `withdraw()` announces `down` and stops it, so
 * no call is routed here any more. A new advertisement is a new micro service, with a new id.
 * Its INFO and STATS replies must fit the server's `max_payload`, or it is not made (`reply-size.ts`).
 */
export class Advertisement {
  readonly instance: string;
  readonly #connection: NatsConnection;
  readonly #service: Service;
  readonly #name: string;

  private constructor(connection: NatsConnection, service: Service, name: string) {
    this.#connection = connection;
    this.#service = service;
    this.#name = name;
    this.instance = service.info().id;
  }

  /** Whether it was made on `connection`: one that replaced it (the client gave the old one up) has none of it. */
  isOn(connection: NatsConnection): boolean {
    return this.#connection === connection;
  }

  /** Adds the micro service and its endpoints; rejects with the client's error when NATS refuses, or when a reply would not fit. */
  static async advertise(connection: NatsConnection, options: AdvertiseOptions): Promise<Advertisement> {
    const { manifest, identity } = options;
    const service = await connection.services.add({
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      statsHandler: async (): Promise<EndpointStatsData> => ({ health: await options.health() }),
      metadata: {
        [METADATA.did]: identity.did,
        [METADATA.realm]: identity.realm,
        [METADATA.contractHash]: manifest.contractHash,
        [METADATA.hecateOm]: manifest.runtime.hecateOm,
      },
    });
    const instance = service.info().id;
    try {
      for (const capability of manifest.capabilities) {
        addEndpoint(service, capability, 'shared', sharedSubject(capability), options);
        addEndpoint(service, capability, 'instance', instanceSubject(capability, instance), options);
      }
      const maxPayload = connection.info?.max_payload;
      const oversized = maxPayload === undefined ? undefined : oversizedReply(service.info(), manifest, maxPayload);
      if (oversized !== undefined) throw new Error(oversized);
    } catch (error) {
      await service.stop();
      throw error;
    }
    announce(connection, { event: 'up', service: manifest.name, instance });
    return new Advertisement(connection, service, manifest.name);
  }

  /** Said again after a reconnect: views that lost this instance meanwhile find it before their next sweep. */
  announceAgain(): void {
    announce(this.#connection, { event: 'up', service: this.#name, instance: this.instance });
  }

  async withdraw(): Promise<void> {
    if (!this.#connection.isClosed()) announce(this.#connection, { event: 'down', service: this.#name, instance: this.instance });
    await this.#service.stop();
    debug('mesh: withdrew instance %s', this.instance);
  }
}

function addEndpoint(service: Service, capability: Capability, addressing: Addressing, subject: string, options: AdvertiseOptions): void {
  service.addEndpoint(endpointName(capability, addressing), {
    subject,
    queue: MESH_QUEUE_GROUP,
    metadata: { [METADATA.capability]: capability.name, [METADATA.version]: String(capability.version), [METADATA.addressing]: addressing },
    handler: (error, msg) => {
      if (error !== null) options.log.error(`the ${subject} endpoint stopped: ${describeError(error)}`, { error });
      else void respond(capability, msg, options);
    },
  });
}

async function respond(capability: Capability, msg: ServiceMsg, options: AdvertiseOptions): Promise<void> {
  const answer = await answerCall(capability, msg.data, headersOf(msg), options.handlers, options.authorization);
  const encoded = encodeJson(answer, `the answer of ${capability.name}`);
  const bytes = encoded.ok ? encoded.bytes : encoder.encode(JSON.stringify({ ok: false, error: encoded.error } satisfies Answer));
  // respondError makes the endpoint's STATS count the failure; the body carries it to the caller.
  if (encoded.ok && answer.ok) msg.respond(bytes);
  else msg.respondError(500, encoded.ok && !answer.ok ? answer.error.code : 'payload_too_large', bytes);
}

function headersOf(msg: ServiceMsg): CallHeaders {
  const headers: Record<string, string> = {};
  if (msg.headers !== undefined) for (const [name, values] of msg.headers) headers[name] = values[0] ?? '';
  return headers;
}
