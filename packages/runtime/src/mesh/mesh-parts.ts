import type { HealthStatus, Manifest, Mesh, MeshCallOptions, MeshCallResult } from '@hecate-om/contract';
import type { NatsConnection } from 'nats';
import type { Clock, HealthObservation } from '../health-monitor.js';
import type { RuntimeLogger } from '../logger.js';
import type { RuntimePart } from '../runtime-part.js';
import { Advertisement, type AdvertisedIdentity } from './advertisement.js';
import { AdvertisementLifecycle, type Readiness } from './advertisement-lifecycle.js';
import { UNAUTHORIZED_CALLS, type CallAuthorization } from './authorization.js';
import { callCapability, natsAttempt, type SendAttempt } from './caller.js';
import { Discovery } from './discovery.js';
import { HandlerRegistry } from './handlers.js';
import { MeshLink } from './mesh-link.js';
import { MESH_TIMINGS } from './timings.js';
import { watchProviders } from './watch.js';

export interface MeshPartsOptions {
  /** `HECATE_MESH_URL`; empty: standalone. */
  readonly urls: readonly string[];
  readonly manifest: Manifest;
  readonly log: RuntimeLogger;
  /** `HECATE_SECRETS_DIR`, where NATS credentials are read from; absent: none. */
  readonly secretsDir?: string;
  /** Read when the instance advertises, after the identity part has started. */
  readonly identity: () => AdvertisedIdentity;
  /** The required checks other than the mesh's: advertise only while they are ready. */
  readonly readiness: () => Promise<Readiness>;
  /** `/health`'s status, which the instance's `$SRV.STATS` reply carries for tools (`hecate-om mesh ls`). */
  readonly health: () => Promise<HealthStatus>;
  /** @default UNAUTHORIZED_CALLS */
  readonly authorization?: CallAuthorization;
  readonly clock: Clock;
  readonly random: () => number;
}

/**
 * The mesh as two runtime parts, for the order a graceful shutdown needs:
 * - `connection` (`checks.mesh`, optional) starts before the service, so `start()` and `stop()`
 *   can call the mesh, and drains its NATS connection after the service has stopped;
 * - `advertisement` starts after the service: it refuses a declared capability left unserved,
 *   then advertises while the service is ready, and withdraws first thing at shutdown, before the drain.
 * `mesh` is what `start(opts)` receives.
 */
export interface MeshParts {
  readonly connection: RuntimePart;
  readonly advertisement: RuntimePart;
  readonly mesh: Mesh;
  /** Resolves once the first connection is made: for tests and tools. */
  readonly connected: () => Promise<void>;
}

export function createMeshParts(options: MeshPartsOptions): MeshParts {
  const { urls, manifest, log } = options;
  const authorization = options.authorization ?? UNAUTHORIZED_CALLS;
  const handlers = new HandlerRegistry(manifest.capabilities);
  const link =
    urls.length === 0 ? undefined : new MeshLink({ urls, name: `${manifest.name}@${manifest.version}`, log, random: options.random, ...(options.secretsDir === undefined ? {} : { secretsDir: options.secretsDir }) });
  const discovery = new Discovery(log, () => link?.connected === true, options.random);
  let advertisement: Advertisement | undefined;
  let send: SendAttempt | undefined;

  const lifecycle = new AdvertisementLifecycle(
    {
      readiness: options.readiness,
      connected: () => link?.connected === true,
      advertise: async () => {
        const connection = connectionOf(link);
        advertisement = await Advertisement.advertise(connection, { manifest, identity: options.identity(), handlers, authorization, log, health: options.health });
        log.info('mesh: advertised', { instance: advertisement.instance, capabilities: manifest.capabilities.length });
      },
      withdraw: async () => {
        const withdrawn = advertisement;
        advertisement = undefined;
        await withdrawn?.withdraw();
      },
    },
    log,
    options.clock,
    options.random,
  );

  link?.onConnected((connection) => {
    // Each connection its own: one the client gave up is replaced by a new one, and calls go out on it.
    send = natsAttempt(connection, link);
    discovery.connected(connection);
    if (advertisement !== undefined && !advertisement.isOn(connection)) {
      advertisement = undefined;
      lifecycle.lost('the connection it was made on was closed, and a new one made');
    }
    advertisement?.announceAgain();
    void lifecycle.wake();
  });

  const mesh: Mesh = {
    serve: (capability, handler) => handlers.serve(capability, handler),
    call: (capability, payload, callOptions) => {
      if (link === undefined) return Promise.resolve({ ok: false, error: { code: 'no_providers', message: 'standalone: HECATE_MESH_URL is not set' } });
      if (link.connected && discovery.swept) return callCapability(discovery.view, authorization, send, capability, payload, callOptions);
      return callOnceDiscovered(link, discovery, (calledWith) => callCapability(discovery.view, authorization, send, capability, payload, calledWith), capability, callOptions);
    },
    lookup: (capability) => discovery.view.lookup(capability),
    discovered: async (discoveredOptions) => {
      if (link === undefined) return false;
      await discovery.firstSweep(discoveredOptions?.timeout ?? MESH_TIMINGS.callTimeoutMs);
      return discovery.swept;
    },
    watch: (capability, watchOptions) => watchProviders(discovery.view, capability, watchOptions?.signal),
  };

  const connection: RuntimePart = {
    name: 'mesh',
    readiness: 'optional',
    start: async () => link?.start(),
    check: link === undefined ? undefined : () => observe(link, lifecycle),
    stop: async () => {
      discovery.stop();
      await link?.close();
    },
  };

  const advertisementPart: RuntimePart = {
    name: 'mesh advertisement',
    readiness: 'optional',
    start: async () => {
      const unserved = handlers.unservedProblem();
      if (unserved !== undefined) throw new Error(unserved);
      if (link === undefined) log.info('standalone: HECATE_MESH_URL is not set, so no capability is advertised and mesh calls find no provider');
      else lifecycle.start();
    },
    ready: () => void lifecycle.wake(),
    withdraw: link === undefined ? undefined : () => lifecycle.shutdown('shutting down'),
  };

  return { connection, advertisement: advertisementPart, mesh, connected: () => link?.firstConnection() ?? Promise.resolve() };
}

/**
 * A call made before this instance is connected and has swept the mesh once (from `start()`): it
 * waits for the first sweep, or for a provider of `capability` to appear, within its `timeout`,
 * and the attempts get what is left of it. A connection that was made and is lost answers
 * `disconnected` at once: the providers are not at fault, and waiting would only hide it.
 */
async function callOnceDiscovered(
  link: MeshLink,
  discovery: Discovery,
  call: (options: MeshCallOptions) => Promise<MeshCallResult>,
  capability: string,
  options: MeshCallOptions = {},
): Promise<MeshCallResult> {
  const disconnected = (): MeshCallResult => ({ ok: false, error: { code: 'disconnected', message: `${link.problem ?? 'not connected to NATS'}: no provider was tried` } });
  if (link.lost) return disconnected();
  const timeout = options.timeout ?? MESH_TIMINGS.callTimeoutMs;
  const startedAt = performance.now();
  await discovery.firstSweep(timeout, capability);
  if (!link.connected) return disconnected();
  return call({ ...options, timeout: Math.max(1, Math.round(timeout - (performance.now() - startedAt))) });
}

function connectionOf(link: MeshLink | undefined): NatsConnection {
  const connection = link?.connection;
  if (connection === undefined) throw new Error('not connected to NATS');
  return connection;
}

/** The `mesh` check: down (so `/health` is degraded) while disconnected, failing, or not advertised. */
function observe(link: MeshLink, lifecycle: AdvertisementLifecycle): HealthObservation {
  const problem = link.problem;
  if (problem !== undefined) return { status: 'down', reason: problem };
  const state = lifecycle.state();
  return state.name === 'advertised' ? { status: 'ok' } : { status: 'down', reason: state.reason };
}
