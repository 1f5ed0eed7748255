import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '@hecate-om/contract';
import type { HealthObservation } from './health-monitor.js';
import { aggregateStatus, observedReady, type NamedCheck } from './runtime-part.js';

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

const LIVE = /* @__PURE__ */ replyOf(200, HEALTH_JSON, { status: 'ok' });
const READY = /* @__PURE__ */ replyOf(200, HEALTH_JSON, { status: 'ok' });
const NOT_FOUND = /* @__PURE__ */ replyOf(404, 'application/json', { error: 'not found: the endpoints are /health, /health/live, /health/ready and /manifest' });
// The body of a refused request is never read, so the connection cannot be reused for the next one.
const METHOD_NOT_ALLOWED = /* @__PURE__ */ replyOf(405, 'application/json', { error: 'method not allowed: use GET or HEAD' }, { allow: 'GET, HEAD', connection: 'close' });

/** Every check's observation, in the order of the checks. */
type Observations = readonly HealthObservation[];

/**
 * The health endpoint on node:http: `/health` (the aggregate of every part's named check, in the
 * IETF health+json draft's shape), `/health/live`, `/health/ready` and `/manifest`. Replies are
 * rendered once per set of observations, so answering a probe costs about what a constant response
 * costs.
 */
export class HealthEndpoint {
  readonly #server: Server;
  readonly #manifestReply: Reply;
  readonly #service: { readonly name: string; readonly version: string };
  readonly #onServerError: (error: Error) => void;
  readonly #checks: readonly NamedCheck[];
  #renderedFor: Observations | undefined;
  #rendered: Reply | undefined;
  #waiting = 0;
  #whenIdle: (() => void)[] = [];

  /**
   * `checks` are the parts' checks, the service's first; `onServerError` receives what the listening
   * server reports later (accept failing on EMFILE).
   */
  constructor(manifest: Manifest, checks: readonly NamedCheck[], onServerError: (error: Error) => void) {
    this.#checks = checks;
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
    const path = pathOf(request.url ?? '/');
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
        // An answer tells the state when it is sent: a shutdown begun while it waited makes it not
        // ready. The checks answer at once now (the call it waited for has settled, and a draining
        // part calls nothing), so observing again starts no health() call.
        const current = this.#observe();
        send(response, this.#render(path, current instanceof Promise ? settled : current));
      } finally {
        this.#waiting -= 1;
        if (this.#waiting === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
      }
    });
  }

  #render(path: string, observations: Observations): Reply {
    return path === '/health' ? this.#renderHealth(observations) : this.#renderReadiness(observations);
  }

  /** Every check's observation: at once when every check answers at once, else once all have. */
  #observe(): Observations | Promise<Observations> {
    const observations = this.#checks.map((check) => check.observe());
    if (!observations.some((observation) => observation instanceof Promise)) return observations as HealthObservation[];
    return Promise.all(observations);
  }

  #renderHealth(observations: Observations): Reply {
    if (this.#rendered !== undefined && sameObservations(this.#renderedFor, observations)) return this.#rendered;
    const status = aggregateStatus(this.#checks, observations);
    const checks = Object.fromEntries(
      this.#checks.map((check, index) => {
        const { status: checkStatus, reason } = observations[index] as HealthObservation;
        return [check.name, [reason === undefined ? { status: checkStatus } : { status: checkStatus, output: reason }]];
      }),
    );
    const reply = replyOf(status === 'down' ? 503 : 200, HEALTH_JSON, { status, name: this.#service.name, version: this.#service.version, checks });
    this.#renderedFor = observations;
    this.#rendered = reply;
    return reply;
  }

  /** Not ready while a required check is down or holds readiness back; the first such check's reason is the output. */
  #renderReadiness(observations: Observations): Reply {
    const index = this.#checks.findIndex((check, at) => check.readiness === 'required' && !observedReady(observations[at]));
    if (index === -1) return READY;
    return replyOf(503, HEALTH_JSON, { status: 'down', output: observations[index]?.reason });
  }
}

function sameObservations(a: Observations | undefined, b: Observations): boolean {
  return a !== undefined && a.length === b.length && a.every((observation, index) => observation === b[index]);
}

/**
 * The path of a request target: origin form (`/health?x`), or absolute form
 * (`http://host/health`), which RFC 9112 section 3.2.2 requires a server to accept. Anything else
 * (`*`, a bad URL) has no path the endpoint serves.
 */
function pathOf(target: string): string {
  if (target.startsWith('/')) {
    const query = target.indexOf('?');
    return query === -1 ? target : target.slice(0, query);
  }
  if (!URL.canParse(target)) return '';
  const url = new URL(target);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.pathname : '';
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}
