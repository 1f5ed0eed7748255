import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseStrictJson } from './data-file.js';
import { REFUSALS, refusal, type Refusal } from './refusals.js';

/** Short enough that a slow or silent client cannot hold a socket for long, generous for a claim. */
export const SERVER_TIMEOUTS = {
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const;

/** A provision request is a token of a few KiB; the UCAN layer itself refuses tokens over 32 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly refusal: Refusal };

/**
 * Reads a request body as strict JSON: declared `application/json`, at most MAX_BODY_BYTES (by
 * Content-Length up front, and by counting as it streams), UTF-8 without a byte order mark.
 */
export function readJsonBody(request: IncomingMessage): Promise<BodyResult> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return Promise.resolve(fail(refusal('UNSUPPORTED_MEDIA_TYPE', `the body is declared ${type === '' ? 'as nothing' : `as ${type}`}, not application/json`)));
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.resolve(discard(request, tooLarge(declared)));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.off('end', onEnd);
        resolve(discard(request, tooLarge(received)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const body = Buffer.concat(chunks);
      if (body.length === 0) return resolve(fail(refusal('MALFORMED_REQUEST', 'the body is empty')));
      const json = parseStrictJson(body);
      resolve(json.ok ? { ok: true, value: json.value } : fail(refusal('MALFORMED_REQUEST', `the body ${json.message}`)));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', () => resolve(fail(refusal('MALFORMED_REQUEST', 'the request body was cut off'))));
  });
}

function tooLarge(bytes: number): Refusal {
  return refusal('PAYLOAD_TOO_LARGE', `the body is ${bytes} bytes or more; the realm reads at most ${MAX_BODY_BYTES}`);
}

/**
 * Lets the rest of a refused body flow past unread: the client can finish sending and read the
 * refusal (closing on unread data would reset the connection under it), and the server's
 * requestTimeout still bounds how long that may take.
 */
function discard(request: IncomingMessage, refused: Refusal): BodyResult {
  request.resume();
  return fail(refused);
}

function fail(refused: Refusal): BodyResult {
  return { ok: false, refusal: refused };
}

/** Sends `payload` as JSON with `status`; HEAD gets the headers alone. */
export function sendJson(request: IncomingMessage, response: ServerResponse, status: number, payload: unknown, headers: Record<string, string | number> = {}): void {
  const body = Buffer.from(`${JSON.stringify(payload)}\n`);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store', ...headers });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Sends a refusal as `{ "error": ... }` with its status. */
export function sendRefusal(request: IncomingMessage, response: ServerResponse, refused: Refusal, headers: Record<string, string | number> = {}): void {
  sendJson(request, response, REFUSALS[refused.code].status, { error: refused }, headers);
}
