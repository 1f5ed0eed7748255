import { randomBytes } from 'node:crypto';
import type { UcanRequest } from '@hecate-om/contract';
import { RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { issueUcan, readRevocationList, type Capabilities, type KeyPair } from '@hecate-om/ucan';

/** Long enough for a busy realm, short enough that boot does not hang on one that never answers. */
export const REALM_REQUEST_TIMEOUT_MS = 5_000;
/** The realm refuses a provision UCAN valid for more than 60 s; this leaves room for clock drift. */
const PROVISION_LIFETIME_SECONDS = 30;
const PROVISION_PATH = '/api/v1/services/provision';
const REVOCATIONS_PATH = '/api/v1/revocations';

/**
 * Why a request got no credential: `unavailable` (no answer, a timeout, a 5xx: worth retrying, the
 * realm may come back) or `refused` (the realm answered no, with its stable code).
 */
export type RealmFailure = { readonly kind: 'unavailable' | 'refused'; readonly code: string; readonly message: string };
export type RealmResult<Value> = { readonly ok: true; readonly value: Value } | ({ readonly ok: false } & RealmFailure);

export interface Grant {
  readonly credential: string;
  /** What was asked and not granted as asked, as the realm lists it. */
  readonly refused: readonly unknown[];
}

export interface ClaimOptions {
  readonly realmUrl: string;
  readonly realmDid: string;
  readonly keyPair: KeyPair;
  readonly request: UcanRequest;
  /** Sent on first enrollment only. */
  readonly joinToken: string | undefined;
  /** Unix seconds. */
  readonly now: number;
}

/**
 * Asks the realm for a credential (`POST /api/v1/services/provision`, the realm README): proves
 * possession of the key with a provision UCAN addressed to the pinned realm DID, so a server that
 * is not the realm cannot use it elsewhere.
 */
export async function claimCredential(options: ClaimOptions): Promise<RealmResult<Grant>> {
  const { request } = options;
  const provision = issueUcan({
    issuer: options.keyPair,
    audience: options.realmDid,
    capabilities: request.cap as Capabilities,
    expiration: options.now + PROVISION_LIFETIME_SECONDS,
    nonce: randomBytes(16).toString('base64url'),
    facts: {
      service: request.service.name,
      version: request.service.version,
      contractHash: request.contractHash,
      lifetimeSeconds: request.lifetimeSeconds,
      ...(options.joinToken === undefined ? {} : { joinToken: options.joinToken }),
    },
  });
  const answer = await requestJson(`${options.realmUrl}${PROVISION_PATH}`, { method: 'POST', body: JSON.stringify({ ucan: provision.token }) });
  if (!answer.ok && answer.code === 'WRONG_AUDIENCE') {
    const { realmDid, realmUrl } = RUNTIME_SETTINGS;
    return { ...answer, message: `${answer.message}: ${realmDid.variable} (${options.realmDid}) is not the DID of the realm at ${realmUrl.variable} (${options.realmUrl})` };
  }
  if (!answer.ok) return answer;
  const { credential, refused } = answer.value as { credential?: unknown; refused?: unknown };
  if (typeof credential !== 'string')
    return { ok: false, kind: 'unavailable', code: 'REALM_ANSWER_INVALID', message: `${options.realmUrl}${PROVISION_PATH} answered 200 without a credential` };
  return { ok: true, value: { credential, refused: Array.isArray(refused) ? refused : [] } };
}

/**
 * The CIDs the pinned realm revoked (entries by another issuer or with a bad signature are
 * ignored), and the list as the realm answered it, to keep and read back as untrusted input.
 */
export async function fetchRevocations(realmUrl: string, realmDid: string): Promise<RealmResult<{ readonly revoked: ReadonlySet<string>; readonly list: unknown }>> {
  const answer = await requestJson(`${realmUrl}${REVOCATIONS_PATH}`, { method: 'GET' });
  if (!answer.ok) return answer;
  const list = readRevocationList(answer.value, [realmDid]);
  if (!list.ok) return { ok: false, kind: 'unavailable', code: 'REALM_ANSWER_INVALID', message: `${realmUrl}${REVOCATIONS_PATH} answered what ${list.message}` };
  return { ok: true, value: { revoked: list.revoked, list: answer.value } };
}

async function requestJson(url: string, init: { method: string; body?: string }): Promise<RealmResult<unknown>> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      signal: AbortSignal.timeout(REALM_REQUEST_TIMEOUT_MS),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return { ok: false, kind: 'unavailable', code: 'REALM_UNREACHABLE', message: `${init.method} ${url} failed: ${detail}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok && body !== null && typeof body === 'object') return { ok: true, value: body };
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
  const message = `${init.method} ${url} answered ${response.status} ${code}${typeof error?.message === 'string' ? `: ${error.message}` : ''}`;
  // A 5xx (or a 2xx that is not JSON) is the realm failing, not deciding: the next attempt may differ.
  return { ok: false, kind: response.ok || response.status >= 500 ? 'unavailable' : 'refused', code, message };
}
