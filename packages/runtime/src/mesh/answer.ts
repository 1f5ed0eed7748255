import type { Capability, MeshError } from '@hecate-om/contract';
import { debug } from '../debug.js';
import { describeError } from '../describe-error.js';
import type { CallAuthorization, CallHeaders } from './authorization.js';
import { decodeJson, MESH_MAX_PAYLOAD_BYTES, type Answer } from './envelope.js';
import type { HandlerRegistry } from './handlers.js';

/**
 * What a provider answers to one call, whatever carried it (NATS, or `createTestMesh()`): the
 * payload bounded and parsed, the call authorized, then the handler's value or its error.
 */
export async function answerCall(
  capability: Capability,
  body: Uint8Array,
  headers: CallHeaders,
  handlers: HandlerRegistry,
  authorization: CallAuthorization,
): Promise<Answer> {
  if (body.byteLength > MESH_MAX_PAYLOAD_BYTES) return refused('payload_too_large', `the payload is ${body.byteLength} bytes: the mesh carries at most ${MESH_MAX_PAYLOAD_BYTES}`);
  const authorized = await authorization.authorize(capability, headers);
  if (!authorized.ok) return { ok: false, error: authorized.error };
  const payload = decodeJson(body, 'the payload');
  if (!payload.ok) return refused('handler_error', payload.message);
  const handler = handlers.get(capability.name);
  if (handler === undefined) return refused('handler_error', `${capability.name} is not served`);
  try {
    return { ok: true, value: (await handler(payload.value, { capability: capability.name, version: capability.version })) ?? null };
  } catch (error) {
    debug('mesh: the %s handler threw %s', capability.name, describeError(error));
    return refused('handler_error', describeError(error));
  }
}

function refused(code: MeshError['code'], message: string): Answer {
  return { ok: false, error: { code, message } };
}
