import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UCAN_VERSION } from '@hecate-om/ucan';
import { echoPolicy, generateKeyPair, get, post, startTestRealm, type TestRealm } from './realm-fixture.js';

let realm: TestRealm;

beforeAll(async () => {
  realm = await startTestRealm({ policy: echoPolicy(generateKeyPair()) });
});
afterAll(() => realm.stop());

/** A raw request with node:http, so that the body can be streamed without a Content-Length. */
function rawPost(url: string, chunks: readonly Buffer[], headers: Record<string, string>): Promise<{ status: number; body: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}/api/v1/services/provision`, { method: 'POST', headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
    });
    // The realm may answer and close before the whole body is sent: that is the point.
    outgoing.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

describe('the realm over HTTP', () => {
  it('describes itself at GET /api/v1/realm: DID, name and versions', async () => {
    const answer = await get(realm.realm, '/api/v1/realm');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ did: realm.realm.did, name: 'test-realm', dev: false, versions: { api: ['v1'], ucv: UCAN_VERSION, realm: '0.1.0' } });
  });

  it('refuses unknown paths and wrong methods with a stable code', async () => {
    const missing = await get(realm.realm, '/api/v2/realm');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('NOT_FOUND');
    const wrongMethod = await fetch(`${realm.realm.url}/api/v1/services/provision`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('refuses a body not declared as JSON', async () => {
    const answer = await post(realm.realm, '{"ucan":"x"}', { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(answer.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['an empty body', '', 'the body is empty'],
    ['JSON with a trailing comma', '{"ucan":"x",}', /^the body is not JSON: /],
    ['a byte order mark', '\uFEFF{"ucan":"x"}', 'the body starts with a byte order mark, which JSON does not allow'],
    ['an array', '["x"]', /^the body must be a JSON object with exactly one field, "ucan"/],
    ['a second field', '{"ucan":"x","more":1}', /^the body must be a JSON object with exactly one field, "ucan"/],
    ['a token that is not a string', '{"ucan":42}', /^the body must be a JSON object with exactly one field, "ucan"/],
  ])('refuses %s as a malformed request', async (_case, body, message) => {
    const answer = await post(realm.realm, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('MALFORMED_REQUEST');
    expect(answer.body.error?.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect(realm.lines.at(-1)).toMatchObject({ level: 'warn', message: 'provision refused', code: 'MALFORMED_REQUEST', why: answer.body.error?.message });
  });

  it('refuses a body that is not UTF-8', async () => {
    const answer = await rawPost(realm.realm.url, [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])], { 'content-type': 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('MALFORMED_REQUEST');
  });

  it('refuses a token that is no JWT as an invalid token, with the UCAN rule that failed', async () => {
    const answer = await post(realm.realm, JSON.stringify({ ucan: 'not.a-jwt' }));
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ code: 'INVALID_TOKEN', details: [{ code: 'UCAN_FORMAT' }] });
  });

  it('refuses an oversized body declared by Content-Length without reading it', async () => {
    const answer = await rawPost(realm.realm.url, [Buffer.alloc(70 * 1024, 0x20)], { 'content-type': 'application/json', 'content-length': String(70 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses an oversized body streamed in chunks without a Content-Length', async () => {
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(4096, 0x20));
    const answer = await rawPost(realm.realm.url, chunks, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    expect(answer.status).toBe(413);
    expect(answer.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps answering after the refusals above', async () => {
    expect((await get(realm.realm, '/api/v1/realm')).status).toBe(200);
  });
});
