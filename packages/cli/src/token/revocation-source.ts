import { type IgnoredRevocation, readRevocationList } from '@hecate-om/ucan';
import { readRegularFile } from '../validate/regular-file.js';

/** A realm's list is a few hundred bytes per revocation; this bounds what a wrong file or URL costs. */
export const MAX_REVOCATION_LIST_BYTES = 16 * 1024 * 1024;
/** As long as the runtime waits for its realm. */
export const REVOCATION_FETCH_TIMEOUT_MS = 5_000;

export type RevocationSourceResult =
  | { readonly ok: true; readonly revoked: ReadonlySet<string>; readonly ignored: readonly IgnoredRevocation[] }
  | { readonly ok: false; readonly message: string };

/**
 * The CIDs revoked by one of `issuers` in the list at `source`: an http(s) URL (a realm's
 * `GET /api/v1/revocations`) or a file holding its answer. Anything unreadable, over the size
 * bound, not JSON or no list is an error naming the source.
 */
export async function readRevocationSource(source: string, issuers: readonly string[]): Promise<RevocationSourceResult> {
  const text = /^https?:\/\//i.test(source) ? await fetchText(source) : await readRegularFile(source, MAX_REVOCATION_LIST_BYTES);
  if (!text.ok) return text;
  let json: unknown;
  try {
    json = JSON.parse(text.text);
  } catch (error) {
    return { ok: false, message: `${source} is not JSON (${(error as Error).message})` };
  }
  const list = readRevocationList(json, issuers);
  return list.ok ? list : { ok: false, message: `${source} ${list.message}` };
}

async function fetchText(url: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(REVOCATION_FETCH_TIMEOUT_MS) });
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_REVOCATION_LIST_BYTES) return { ok: false, message: `${url} answered ${length} bytes, more than the ${MAX_REVOCATION_LIST_BYTES} read at most` };
    const text = await response.text();
    if (Buffer.byteLength(text) > MAX_REVOCATION_LIST_BYTES) return { ok: false, message: `${url} answered more than the ${MAX_REVOCATION_LIST_BYTES} bytes read at most` };
    if (!response.ok) return { ok: false, message: `${url} answered ${response.status} ${response.statusText}` };
    return { ok: true, text };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, message: `GET ${url} failed: ${cause?.code ?? (error as Error).message}` };
  }
}
