import type { HealthStatus, MeshCallOptions, MeshCallResult } from '@hecate-om/contract';
import { connect, type NatsConnection, type ServiceInfo, type ServiceStats } from 'nats';
import { describeError } from '../describe-error.js';
import { UNAUTHORIZED_CALLS, type CallAuthorization } from './authorization.js';
import { callCapability, natsAttempt } from './caller.js';
import type { EndpointStatsData } from './advertisement.js';
import { collectInfo, collectStats } from './discovery.js';
import { ProviderView, providersOf } from './provider-view.js';
import { METADATA } from './subjects.js';
import { MESH_TIMINGS } from './timings.js';

/** One micro service instance on the server, as `hecate-om mesh ls` shows it. */
export interface MeshInstance {
  readonly service: string;
  readonly serviceVersion: string;
  readonly description: string;
  readonly instance: string;
  /** Empty for a micro service that is not a hecate one, or an instance without an identity. */
  readonly did: string;
  /** The DID of the realm it is enrolled in; empty without one. */
  readonly realm: string;
  /**
   * Its `/health` status as its `$SRV.STATS` reply said it during the listing (an advertised instance
   * is never `down` for long: it withdraws); `unknown` for a micro service that is not a hecate
   * one, or that did not answer STATS in time.
   */
  readonly health: HealthStatus | 'unknown';
  readonly contractHash: string;
  /** The capabilities it serves, each version once; empty for a micro service that is not a hecate one. */
  readonly capabilities: readonly { readonly name: string; readonly version: number }[];
}

export interface MeshClient {
  /** Every micro service instance that answers INFO within `waitMs`, by service then instance. */
  list(waitMs?: number): Promise<MeshInstance[]>;
  /**
   * Calls as a service does (same spreading, failover, errors and authorization), from a view swept
   * on the first call and again once it is older than the runtime's sweep interval.
   */
  call(capability: string, payload: unknown, options?: MeshCallOptions): Promise<MeshCallResult>;
  close(): Promise<void>;
}

export interface MeshClientOptions {
  readonly urls: readonly string[];
  /** How long connecting may take before it counts as failed. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default every call allowed, nothing attached */
  readonly authorization?: CallAuthorization;
}

export type OpenMeshClientResult = { readonly ok: true; readonly client: MeshClient } | { readonly ok: false; readonly message: string };

/**
 * A short-lived link to the mesh for tools (the `hecate-om mesh` commands): one connection, no
 * reconnects, nothing advertised. Connecting fails as a value naming the servers.
 */
export async function openMeshClient(options: MeshClientOptions): Promise<OpenMeshClientResult> {
  let connection: NatsConnection;
  try {
    connection = await connect({ servers: [...options.urls], name: 'hecate-om mesh', timeout: options.connectTimeoutMs ?? 5000, reconnect: false });
  } catch (error) {
    return { ok: false, message: `cannot connect to ${options.urls.join(', ')}: ${describeError(error)}` };
  }
  const authorization = options.authorization ?? UNAUTHORIZED_CALLS;
  const view = new ProviderView();
  const send = natsAttempt(connection);
  let sweptAt = -Infinity;
  return {
    ok: true,
    client: {
      list: async (waitMs) => {
        const [infos, stats] = await Promise.all([collectInfo(connection, undefined, waitMs), collectStats(connection, waitMs ?? MESH_TIMINGS.sweepWaitMs)]);
        const health = new Map(stats.map((reply) => [reply.id, healthOf(reply)]));
        return infos.map((info) => instanceOf(info, health.get(info.id) ?? 'unknown')).sort(byServiceThenInstance);
      },
      call: async (capability, payload, callOptions) => {
        if (performance.now() - sweptAt > MESH_TIMINGS.sweepIntervalMs) {
          const askedAt = view.moment();
          view.replaceAll(await collectInfo(connection), askedAt);
          sweptAt = performance.now();
        }
        return callCapability(view, authorization, send, capability, payload, callOptions);
      },
      close: () => connection.close(),
    },
  };
}

function instanceOf(info: ServiceInfo, health: MeshInstance['health']): MeshInstance {
  return {
    service: info.name,
    serviceVersion: info.version,
    description: info.description ?? '',
    instance: info.id,
    did: info.metadata?.[METADATA.did] ?? '',
    realm: info.metadata?.[METADATA.realm] ?? '',
    health,
    contractHash: info.metadata?.[METADATA.contractHash] ?? '',
    capabilities: providersOf(info).map((provider) => ({ name: provider.capability, version: provider.version })),
  };
}

/** The health a hecate instance puts in its endpoints' STATS `data`; `unknown` without it. */
function healthOf(stats: ServiceStats): MeshInstance['health'] {
  const health = (stats.endpoints?.[0]?.data as Partial<EndpointStatsData> | undefined)?.health;
  return health === 'ok' || health === 'degraded' || health === 'down' ? health : 'unknown';
}

function byServiceThenInstance(a: MeshInstance, b: MeshInstance): number {
  return a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance);
}
