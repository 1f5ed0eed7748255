import type { MeshError } from '@hecate-om/contract';

/**
 * Bodies larger than this are refused before they are sent or handled: 256 KiB keeps a call well
 * inside NATS's default max_payload (1 MiB) together with its token and headers.
 */
export const MESH_MAX_PAYLOAD_BYTES = 256 * 1024;

/** What a provider answers: the handler's value, or a structured error. */
export type Answer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: MeshError };

export type Encoded = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: MeshError };

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/**
 * JSON of `value`, refused when it is not JSON or exceeds the bound; `what` names it in the error,
 * `notJson` is its code (a handler's answer that is not JSON is the handler's error, a payload the caller's).
 */
export function encodeJson(value: unknown, what: string, notJson: MeshError['code'] = 'handler_error'): Encoded {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return { ok: false, error: { code: notJson, message: `${what} is not JSON: ${(error as Error).message}` } };
  }
  const bytes = encoder.encode(text ?? 'null');
  if (bytes.byteLength > MESH_MAX_PAYLOAD_BYTES)
    return { ok: false, error: { code: 'payload_too_large', message: `${what} is ${bytes.byteLength} bytes of JSON: the mesh carries at most ${MESH_MAX_PAYLOAD_BYTES}` } };
  return { ok: true, bytes };
}

export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Parses a received body, bounded before it is parsed. */
export function decodeJson(bytes: Uint8Array, what: string): Decoded {
  if (bytes.byteLength > MESH_MAX_PAYLOAD_BYTES) return { ok: false, message: `${what} is ${bytes.byteLength} bytes: the mesh carries at most ${MESH_MAX_PAYLOAD_BYTES}` };
  try {
    return { ok: true, value: bytes.byteLength === 0 ? null : JSON.parse(decoder.decode(bytes)) };
  } catch (error) {
    return { ok: false, message: `${what} is not UTF-8 JSON: ${(error as Error).message}` };
  }
}

/** An answer as a provider sends it: `{"ok":true,"value":...}` or `{"ok":false,"error":{code,message}}`. */
export function isAnswer(value: unknown): value is Answer {
  if (value === null || typeof value !== 'object') return false;
  const answer = value as Record<string, unknown>;
  if (answer.ok === true) return 'value' in answer;
  if (answer.ok !== false || answer.error === null || typeof answer.error !== 'object') return false;
  const error = answer.error as Record<string, unknown>;
  return typeof error.code === 'string' && typeof error.message === 'string';
}
