import { get, type IncomingMessage } from 'node:http';
import { printable } from './printable.js';

/** The exit codes of `--healthcheck`, as container HEALTHCHECK and Quadlet HealthCmd read them. */
export const HEALTHCHECK_EXIT = { healthy: 0, unhealthy: 1, unreachable: 2 } as const;

export type HealthcheckExitCode = (typeof HEALTHCHECK_EXIT)[keyof typeof HEALTHCHECK_EXIT];

export interface HealthcheckResult {
  readonly code: HealthcheckExitCode;
  /** One line saying what was found, for the container engine's health log; the peer's bytes escaped. */
  readonly summary: string;
}

/**
 * The most of an answer the probe reads: the runtime's readiness answer is a few dozen bytes. The
 * probe runs inside the service's container, so an endless or huge answer must not cost its memory.
 */
export const MAX_ANSWER_BYTES = 16 * 1024;
/** How much of a refusing answer the summary quotes. */
const QUOTED_CHARACTERS = 200;
const HEALTH_JSON = 'application/health+json';
/** The passing statuses of IETF health+json (draft-inadarei-api-health-check §3.1): `pass`, and `ok` and `up` for it. */
const PASSING_STATUSES: ReadonlySet<unknown> = new Set(['pass', 'ok', 'up']);

/** A wildcard listen address is not an address to connect to: probe loopback instead. */
export function probeHostFor(listenHost: string): string {
  if (listenHost === '0.0.0.0') return '127.0.0.1';
  if (listenHost === '::') return '::1';
  return listenHost;
}

/** What the probe read of an answer: the status, the media type, and at most MAX_ANSWER_BYTES of the body. */
export interface ReadinessAnswer {
  readonly statusCode: number;
  readonly contentType: string | undefined;
  readonly body: string;
  /** The body went on past MAX_ANSWER_BYTES and was not read to its end. */
  readonly cutShort: boolean;
}

/**
 * Judges an answer of `/health/readiness` strictly: ready only on a 200 of `application/health+json`
 * whose `status` passes; any other 200 (an HTML page, another program on the port) is not ready.
 */
export function judgeReadiness(url: string, answer: ReadinessAnswer): HealthcheckResult {
  const notReady = (why: string): HealthcheckResult => ({ code: HEALTHCHECK_EXIT.unhealthy, summary: `not ready: ${url} answered ${answer.statusCode} ${why}` });
  if (answer.statusCode !== 200) return notReady(quote(answer));
  if (answer.cutShort) return notReady(`with more than ${MAX_ANSWER_BYTES} bytes, more than any health+json answer needs`);
  const mediaType = answer.contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== HEALTH_JSON) return notReady(`with content-type ${printable(answer.contentType ?? '(none)')}, not ${HEALTH_JSON}`);
  const status = statusOf(answer.body);
  if (status === undefined) return notReady(`with a body that is not a health+json object: ${quote(answer)}`);
  if (!PASSING_STATUSES.has(status)) return notReady(`with status ${printable(JSON.stringify(status) ?? String(status))}, not pass, ok or up`);
  return { code: HEALTHCHECK_EXIT.healthy, summary: `ready: ${url} answered 200` };
}

/** The `status` member of a JSON object, or undefined when the body is no JSON object. */
function statusOf(body: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return (parsed as { status?: unknown }).status;
  } catch {
    return undefined;
  }
}

function quote({ body, cutShort }: ReadinessAnswer): string {
  const more = cutShort || body.length > QUOTED_CHARACTERS;
  return `${printable(body.slice(0, QUOTED_CHARACTERS))}${more ? '... (more not shown)' : ''}`;
}

/**
 * Asks the running service's `/health/ready`; never rejects, never outlives `timeoutMs` and never
 * reads more than MAX_ANSWER_BYTES of the answer.
 */
export function probeReadiness(host: string, port: number, timeoutMs: number): Promise<HealthcheckResult> {
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health/ready`;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: HealthcheckResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      request.destroy();
    };
    const request = get(url, { agent: false }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const answer = (cutShort: boolean): ReadinessAnswer => ({
        statusCode: response.statusCode ?? 0,
        contentType: response.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
        cutShort,
      });
      response.on('data', (chunk: Buffer) => {
        const room = MAX_ANSWER_BYTES - length;
        chunks.push(chunk.subarray(0, room));
        length += Math.min(chunk.length, room);
        if (chunk.length > room) settle(judgeReadiness(url, answer(true)));
      });
      response.on('error', () => settle({ code: HEALTHCHECK_EXIT.unreachable, summary: `unreachable: ${url} broke off its answer` }));
      response.on('end', () => settle(judgeReadiness(url, answer(false))));
    });
    // A deadline on the whole exchange: a socket timeout would let a trickling answer run on.
    const deadline = setTimeout(() => request.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => settle({ code: HEALTHCHECK_EXIT.unreachable, summary: `unreachable: ${url}: ${printable(error.message)}` }));
  });
}
