import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '@hecate-om/contract';
import type { HealthMonitor, HealthObservation } from './health-monitor.js';

/** Where the service is in its life, as the endpoint reports it. */
export type Phase =
  | { readonly name: 'starting' }
  | { readonly name: 'running'; readonly monitor: HealthMonitor }
  | { readonly name: 'failed'; readonly reason: string }
  | { readonly name: 'draining' };

interface Reply {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

const HEALTH_JSON = 'application/health+json';
/** Generous for a probe, short enough that a slow or silent client cannot hold a socket for long. */
const SERVER_TIMEOUTS = {
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const;

function replyOf(status: number, contentType: string, payload: unknown, extraHeaders: OutgoingHttpHeaders = {}): Reply {
  const body = Buffer.from(JSON.stringify(payload));
  return {
    status,
    body,
    headers: { 'content-type': contentType, 'content-length': body.length, 'cache-control': 'no-store', ...extraHeaders },
  };
}

const LIVE = replyOf(200, HEALTH_JSON, { status: 'ok' });
const READY = replyOf(200, HEALTH_JSON, { status: 'ok' });
const NOT_FOUND = replyOf(404, 'application/json', { error: 'not found: the endpoints are /health, /health/live, /health/ready and /manifest' });
// The body of a refused request is never read, so the connection cannot be reused for the next one.
const METHOD_NOT_ALLOWED = replyOf(405, 'application/json', { error: 'method not allowed: use GET or HEAD' }, { allow: 'GET, HEAD', connection: 'close' });

const PHASE_OBSERVATIONS = {
  starting: { status: 'down', reason: 'starting: start() has not finished' },
  draining: { status: 'down', reason: 'shutting down' },
} as const satisfies Record<string, HealthObservation>;

/**
 * The health endpoint on node:http: `/health` (the aggregate, IETF health+json shape),
 * `/health/live`, `/health/ready` and `/manifest`. Replies are rendered once per observation, so
 * answering a probe costs about what a constant response costs.
 */
export class HealthEndpoint {
  readonly #server: Server;
  readonly #manifestReply: Reply;
  readonly #service: { readonly name: string; readonly version: string };
  readonly #onServerError: (error: Error) => void;
  #phase: Phase = { name: 'starting' };
  #renderedFor: HealthObservation | undefined;
  #rendered: Reply | undefined;
  #waiting = 0;
  #whenIdle: (() => void)[] = [];

  /** `onServerError` receives what the listening server reports later (accept failing on EMFILE). */
  constructor(manifest: Manifest, onServerError: (error: Error) => void) {
    this.#service = { name: manifest.name, version: manifest.version };
    this.#manifestReply = replyOf(200, 'application/json', manifest);
    this.#server = createServer(SERVER_TIMEOUTS, (request, response) => this.#answer(request, response));
    this.#onServerError = onServerError;
  }

  /** Resolves with the bound address; rejects when the address cannot be bound. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        // Unhandled, a later server error (too many open files on accept) would end the process.
        this.#server.on('error', this.#onServerError);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  setPhase(phase: Phase): void {
    this.#phase = phase;
  }

  /** Resolves once no answer is waiting for a `health()` call; a new call is never started while draining. */
  drained(): Promise<void> {
    if (this.#waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /** Stops listening and ends every connection, idle or not. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #answer(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== '/health' && path !== '/health/live' && path !== '/health/ready' && path !== '/manifest')
      return send(response, NOT_FOUND);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, METHOD_NOT_ALLOWED);
    if (path === '/health/live') return send(response, LIVE);
    if (path === '/manifest') return send(response, this.#manifestReply);
    const observation = this.#observe();
    if (!(observation instanceof Promise)) return send(response, this.#render(path, observation));
    this.#waiting += 1;
    void observation.then((settled) => {
      try {
        send(response, this.#render(path, settled));
      } finally {
        this.#waiting -= 1;
        if (this.#waiting === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
      }
    });
  }

  #render(path: string, observation: HealthObservation): Reply {
    return path === '/health' ? this.#renderHealth(observation) : renderReadiness(observation);
  }

  #observe(): HealthObservation | Promise<HealthObservation> {
    const phase = this.#phase;
    switch (phase.name) {
      case 'running':
        return phase.monitor.observe();
      case 'failed':
        return { status: 'down', reason: phase.reason };
      default:
        return PHASE_OBSERVATIONS[phase.name];
    }
  }

  #renderHealth(observation: HealthObservation): Reply {
    if (this.#renderedFor === observation && this.#rendered !== undefined) return this.#rendered;
    const check = observation.reason === undefined ? { status: observation.status } : { status: observation.status, output: observation.reason };
    const reply = replyOf(observation.status === 'down' ? 503 : 200, HEALTH_JSON, {
      status: observation.status,
      name: this.#service.name,
      version: this.#service.version,
      checks: { service: [check] },
    });
    this.#renderedFor = observation;
    this.#rendered = reply;
    return reply;
  }
}

function renderReadiness(observation: HealthObservation): Reply {
  if (observation.status !== 'down') return READY;
  return replyOf(503, HEALTH_JSON, { status: 'down', output: observation.reason });
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}
