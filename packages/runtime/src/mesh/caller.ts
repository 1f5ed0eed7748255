import type { MeshCallOptions, MeshCallResult, MeshError, MeshProvider } from '@hecate-om/contract';
import { ErrorCode, headers as natsHeaders, type Msg, type NatsConnection, type NatsError } from 'nats';
import { describeError } from '../describe-error.js';
import { PROOFS_UNKNOWN, type CallAuthorization, type CallHeaders } from './authorization.js';
import { decodeJson, encodeJson, isAnswer } from './envelope.js';
import type { ProviderView } from './provider-view.js';
import { MESH_TIMINGS } from './timings.js';

/** One attempt's outcome: an answer, a failure to return, or one to go on to the next provider after. */
export type Attempt = MeshCallResult | { readonly ok: false; readonly error: MeshError; readonly next: true };

/** Sends one call to one provider and reads its answer; the transport is NATS here, memory in `createTestMesh()`. */
export type SendAttempt = (provider: MeshProvider, body: Uint8Array, headers: CallHeaders, timeout: number) => Promise<Attempt>;

/**
 * `mesh.call()`: picks the providers of at least `minVersion` from the view (spread by turns,
 * suspects last), skips those the caller's authorization cannot call (another realm, no DID),
 * attaches the caller's authorization for each, and goes on to the next provider when one is gone
 * (no responders) or, for an idempotent call, when one timed out, which also marks it suspect.
 * A provider answering `proofs_unknown` (it did not hold the proofs the call named by CID) is sent
 * the call once more, with its proofs, within what is left of that provider's `timeout`.
 * A failure names the provider its attempt went to. Never throws, never waits longer than one
 * `timeout` per provider tried.
 */
export async function callCapability(
  view: ProviderView,
  authorization: CallAuthorization,
  send: SendAttempt | undefined,
  capability: string,
  payload: unknown,
  options: MeshCallOptions = {},
): Promise<MeshCallResult> {
  if (send === undefined) return failure('disconnected', 'the mesh is not connected');
  const encoded = encodeJson(payload, 'the payload', 'invalid_payload');
  if (!encoded.ok) return { ok: false, error: encoded.error };
  const timeout = options.timeout ?? MESH_TIMINGS.callTimeoutMs;
  const advertised = `${capability}${(options.minVersion ?? 1) <= 1 ? '' : ` v${options.minVersion} or later`}`;
  let last: MeshError | undefined;
  let skipped: string | undefined;
  for (const provider of view.candidates(capability, options.minVersion ?? 1)) {
    const mismatch = authorization.uncallable?.(provider);
    if (mismatch !== undefined) {
      skipped ??= mismatch;
      continue;
    }
    const attempt = await attemptWithProofs(authorization, send, provider, capability, encoded.bytes, timeout);
    if (attempt.ok) {
      view.clearSuspicion(provider.instance);
      return attempt;
    }
    if (attempt.error.code === 'timeout') view.suspect(provider.instance);
    else if ('next' in attempt) view.remove(provider.instance);
    last = { ...attempt.error, provider };
    if (!('next' in attempt) || (attempt.error.code === 'timeout' && options.idempotent !== true)) return { ok: false, error: last };
  }
  if (last !== undefined) return { ok: false, error: last };
  return failure('no_providers', skipped === undefined ? `no instance advertises ${advertised}` : `no instance of ${advertised} this instance can call: ${skipped}`);
}

/** One provider's attempt: the call, and once more with every proof carried if the provider asks for them. */
async function attemptWithProofs(
  authorization: CallAuthorization,
  send: SendAttempt,
  provider: MeshProvider,
  capability: string,
  body: Uint8Array,
  timeout: number,
): Promise<Attempt> {
  const startedAt = performance.now();
  const attached = await authorization.attach(provider, capability);
  if (!attached.ok) return { ok: false, error: { ...attached.error, provider } };
  const attempt = await send(provider, body, attached.headers, timeout);
  if (attempt.ok || attempt.error.code !== 'unauthorized' || attempt.error.reason !== PROOFS_UNKNOWN) return attempt;
  const left = Math.floor(timeout - (performance.now() - startedAt));
  if (left < 1) return attempt;
  const resent = await authorization.attach(provider, capability, { carryProofs: true });
  return resent.ok ? send(provider, body, resent.headers, left) : { ok: false, error: { ...resent.error, provider } };
}

/** What a `SendAttempt` over NATS reads of this instance's own link, to tell its outage from a provider's. */
export interface LinkState {
  readonly connected: boolean;
  readonly disconnects: number;
  /** What the `mesh` check says while disconnected. */
  readonly problem: string | undefined;
}

/**
 * A `SendAttempt` over NATS request/reply, to the provider's own subject. With `link`, an attempt
 * that failed while this instance lost its connection answers `disconnected`, which neither
 * suspects nor removes the provider.
 */
export function natsAttempt(connection: NatsConnection, link?: LinkState): SendAttempt {
  return async (provider, body, headers, timeout) => {
    let reply: Msg;
    const disconnects = link?.disconnects;
    try {
      reply = await connection.request(provider.subject, body, { timeout, ...(hasAny(headers) ? { headers: toNatsHeaders(headers) } : {}) });
    } catch (error) {
      if (link !== undefined && (!link.connected || link.disconnects !== disconnects))
        return failure('disconnected', `${link.problem ?? 'the connection to NATS was lost and is back'}: the call to ${provider.service} instance ${provider.instance} was cut off with it`);
      const code = (error as NatsError).code;
      // The server knows no subscriber: the instance is gone, whatever the last sweep said.
      if (code === ErrorCode.NoResponders) return { ok: false, next: true, error: { code: 'no_providers', message: `${provider.service} instance ${provider.instance} is gone` } };
      if (code === ErrorCode.Timeout)
        return { ok: false, next: true, error: { code: 'timeout', message: `${provider.service} instance ${provider.instance} did not answer ${provider.capability} within ${timeout} ms` } };
      return failure('no_providers', `calling ${provider.subject} failed: ${describeError(error)}`);
    }
    return readAnswer(reply.data, provider);
  };
}

/** A provider's reply as the caller's result. */
export function readAnswer(data: Uint8Array, provider: MeshProvider): MeshCallResult {
  const decoded = decodeJson(data, `the answer of ${provider.service} instance ${provider.instance}`);
  if (!decoded.ok) return failure(decoded.message.includes('at most') ? 'payload_too_large' : 'handler_error', decoded.message);
  if (!isAnswer(decoded.value)) return failure('handler_error', `${provider.subject} answered something that is not a mesh answer`);
  const answer = decoded.value;
  return answer.ok ? { ok: true, value: answer.value, provider } : { ok: false, error: answer.error };
}

function hasAny(headers: CallHeaders): boolean {
  for (const _ in headers) return true;
  return false;
}

function toNatsHeaders(headers: CallHeaders): ReturnType<typeof natsHeaders> {
  const result = natsHeaders();
  for (const [name, value] of Object.entries(headers)) result.set(name, value);
  return result;
}

function failure(code: MeshError['code'], message: string): MeshCallResult {
  return { ok: false, error: { code, message } };
}
