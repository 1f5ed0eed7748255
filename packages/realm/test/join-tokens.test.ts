import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJoinToken, parsePolicy } from '../src/index.js';
import { claim, echoPolicy, generateKeyPair, startTestRealm, type TestRealm } from './realm-fixture.js';

let realm: TestRealm;

beforeAll(async () => {
  realm = await startTestRealm({ policy: echoPolicy(generateKeyPair()) });
});
afterAll(() => realm.stop());

async function joinToken(service = 'hecate-echo', extra: { lifetimeSeconds?: number; now?: () => number } = {}): Promise<string> {
  const created = await createJoinToken({ dataDir: realm.dataDir, service, ...extra });
  if (!created.ok) throw new Error(created.error.message);
  return created.value.token;
}

describe('join tokens', () => {
  it('are stored only as their SHA-256, never as the token', async () => {
    const token = await joinToken();
    const directory = join(realm.dataDir, 'join-tokens');
    const contents = await Promise.all((await readdir(directory)).map((name) => readFile(join(directory, name), 'utf8')));
    expect(contents.length).toBeGreaterThan(0);
    for (const content of contents) expect(content).not.toContain(token.slice(4));
  });

  it('enroll one instance once: the same token presented by a second instance is refused', async () => {
    const token = await joinToken();
    const first = generateKeyPair();
    expect((await claim(realm.realm, first, { joinToken: token })).status).toBe(200);
    // The enrolled instance claims again without its token, and with it (a retry): both granted.
    expect((await claim(realm.realm, first)).status).toBe(200);
    expect((await claim(realm.realm, first, { joinToken: token })).status).toBe(200);

    const second = generateKeyPair();
    const refused = await claim(realm.realm, second, { joinToken: token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'JOIN_TOKEN_USED', message: `the join token for hecate-echo already enrolled ${first.did}` });
  });

  it('enroll exactly one instance when several claim with the same token at the same moment', async () => {
    const token = await joinToken();
    const answers = await Promise.all(Array.from({ length: 6 }, () => claim(realm.realm, generateKeyPair(), { joinToken: token })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403, 403, 403, 403, 403]);
    for (const answer of answers.filter((candidate) => candidate.status === 403)) expect(answer.body.error?.code).toBe('JOIN_TOKEN_USED');
  });

  it('let a second instance of a service enroll with its own token, each under its own DID', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    const [tokenA, tokenB] = [await joinToken(), await joinToken()];
    const answerA = await claim(realm.realm, a, { joinToken: tokenA });
    const answerB = await claim(realm.realm, b, { joinToken: tokenB });
    expect([answerA.status, answerB.status]).toEqual([200, 200]);
    expect(answerA.body.capabilities).toEqual(answerB.body.capabilities);
    expect(answerA.body.cid).not.toBe(answerB.body.cid);
  });

  it('are refused once expired', async () => {
    const issuedTwoHoursAgo = () => Date.now() - 2 * 3600_000;
    const token = await joinToken('hecate-echo', { lifetimeSeconds: 3600, now: issuedTwoHoursAgo });
    const answer = await claim(realm.realm, generateKeyPair(), { joinToken: token });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('JOIN_TOKEN_EXPIRED');
  });

  it('are refused for another service, and unknown tokens are refused', async () => {
    const realmFor = await startTestRealm({
      policy: { name: 'two', services: { 'hecate-a': { maxLifetimeSeconds: 60, enroll: { joinTokens: true } }, 'hecate-b': { maxLifetimeSeconds: 60, enroll: { joinTokens: true } } } },
    });
    try {
      const created = await createJoinToken({ dataDir: realmFor.dataDir, service: 'hecate-a' });
      if (!created.ok) throw new Error(created.error.message);
      const wrong = await claim(realmFor.realm, generateKeyPair(), { service: 'hecate-b', cap: {}, joinToken: created.value.token });
      expect(wrong.body.error).toMatchObject({ code: 'JOIN_TOKEN_WRONG_SERVICE', message: 'the join token was created for hecate-a, not hecate-b' });
      const unknown = await claim(realmFor.realm, generateKeyPair(), { service: 'hecate-a', cap: {}, joinToken: `hjt_${'A'.repeat(43)}` });
      expect(unknown.body.error?.code).toBe('JOIN_TOKEN_UNKNOWN');
    } finally {
      await realmFor.stop();
    }
  });

  it('are refused for a service whose policy enrolls by listed DID only', async () => {
    const token = await joinToken('hecate-listed');
    const answer = await claim(realm.realm, generateKeyPair(), { service: 'hecate-listed', cap: {}, joinToken: token });
    expect(answer.body.error?.code).toBe('JOIN_TOKENS_NOT_ACCEPTED');
  });

  it('are not created for a malformed service name, a bad lifetime, or (given the policy) a service it does not know', async () => {
    const policy = parsePolicy(echoPolicy(generateKeyPair()));
    if (!policy.ok) throw new Error('the test policy is invalid');
    const cases = [
      [{ service: 'Hecate Echo' }, 'INVALID_SERVICE'],
      [{ service: 'hecate-echo', lifetimeSeconds: 0 }, 'INVALID_LIFETIME'],
      [{ service: 'hecate-nope', policy: policy.value }, 'UNKNOWN_SERVICE'],
      [{ service: 'hecate-listed', policy: policy.value }, 'JOIN_TOKENS_NOT_ACCEPTED'],
    ] as const;
    for (const [options, code] of cases) {
      const created = await createJoinToken({ dataDir: realm.dataDir, ...options });
      expect(created.ok ? 'created' : created.error.code).toBe(code);
    }
  });
});
