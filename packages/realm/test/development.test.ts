import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUcan } from '@hecate-om/ucan';
import { DEVELOPMENT_BANNER, DEVELOPMENT_MIN_LIFETIME_SECONDS, createJoinToken, MIN_LIFETIME_SECONDS, parsePolicy, startRealm, type PolicyInput } from '../src/index.js';
import { ECHO_CAP, claim, generateKeyPair, get, removeDirectory, startTestRealm, temporaryDirectory, type TestRealm } from './realm-fixture.js';

let realm: TestRealm;

beforeAll(async () => {
  realm = await startTestRealm({ dev: true });
});
afterAll(() => realm.stop());

describe('the development realm', () => {
  it('says loudly, on start, that it is for development only', () => {
    expect(realm.banners).toEqual([DEVELOPMENT_BANNER]);
    expect(DEVELOPMENT_BANNER).toContain('NEVER for production');
    const box = DEVELOPMENT_BANNER.trim().split('\n');
    expect(new Set(box.map((line) => line.length))).toEqual(new Set([80]));
    expect(box.slice(1, -1).every((line) => line.startsWith('#  ') && line.endsWith('  #'))).toBe(true);
    expect(realm.lines).toContainEqual(expect.objectContaining({ level: 'warn', realm: 'development', dev: true }));
  });

  it('reports itself as a development realm', async () => {
    expect((await get(realm.realm, '/api/v1/realm')).body).toMatchObject({ name: 'development', dev: true });
  });

  it('enrolls any instance on its first claim and grants what it asks for under hecate://', async () => {
    const instance = generateKeyPair();
    const asked = { ...ECHO_CAP, 'hecate://mesh/billing.charge': { 'mesh/call': [{}] }, 'https://example.com/': { 'http/get': [{}] } };
    const answer = await claim(realm.realm, instance, { service: 'hecate-anything', cap: asked });
    expect(answer.status).toBe(200);
    expect(answer.body.capabilities).toEqual({ ...ECHO_CAP, 'hecate://mesh/billing.charge': { 'mesh/call': [{}] } });
    expect(answer.body.refused).toEqual([{ resource: 'https://example.com/', ability: 'http/get', caveat: {}, reason: 'not-a-realm-resource' }]);
    expect(realm.lines.at(-1)).toMatchObject({ decision: 'granted', enrolledBy: 'development' });
    expect((await claim(realm.realm, instance, { service: 'hecate-anything' })).body).toMatchObject({ capabilities: ECHO_CAP });
    expect(realm.lines.at(-1)).toMatchObject({ decision: 'granted', enrolledBy: 'enrollment' });
  });

  it('judges a join token as any realm would: it enrolls one instance, and is refused when used again', async () => {
    const joinToken = await createJoinToken({ dataDir: realm.dataDir, service: 'hecate-joined' });
    if (!joinToken.ok) throw new Error(joinToken.error.message);
    const first = await claim(realm.realm, generateKeyPair(), { service: 'hecate-joined', joinToken: joinToken.value.token });
    expect([first.status, realm.lines.at(-1)]).toEqual([200, expect.objectContaining({ decision: 'granted', enrolledBy: 'join-token' })]);
    const again = await claim(realm.realm, generateKeyPair(), { service: 'hecate-joined', joinToken: joinToken.value.token });
    expect([again.status, again.body.error?.code]).toEqual([403, 'JOIN_TOKEN_USED']);
    const unknown = await claim(realm.realm, generateKeyPair(), { service: 'hecate-joined', joinToken: `hjt_${'A'.repeat(43)}` });
    expect(unknown.body.error?.code).toBe('JOIN_TOKEN_UNKNOWN');
  });

  it('keeps an instance to the service it first claimed for, and the lifetime within a day', async () => {
    const instance = generateKeyPair();
    const answer = await claim(realm.realm, instance, { service: 'hecate-first', lifetimeSeconds: 30 * 86_400 });
    const parsed = parseUcan(answer.body.credential);
    if (!parsed.ok) throw new Error('the credential does not parse');
    expect((parsed.ucan.payload.exp as number) - (parsed.ucan.payload.nbf as number)).toBe(86_400);
    expect((await claim(realm.realm, instance, { service: 'hecate-second' })).body.error?.code).toBe('ENROLLED_ELSEWHERE');
  });

  it('follows a policy for the services it names, and the development defaults for the others', async () => {
    const withPolicy = await startTestRealm({
      dev: true,
      policy: { name: 'dev-with-policy', services: { 'hecate-echo': { grants: { 'hecate://echo/*': ['echo/read'] }, maxLifetimeSeconds: 60, enroll: { joinTokens: true } } } },
    });
    try {
      const limited = await claim(withPolicy.realm, generateKeyPair(), { service: 'hecate-echo' });
      // Enrolled by the development mode, but granted only what the policy allows of what it asked: nothing here.
      expect(limited.body).toMatchObject({ capabilities: {}, refused: [expect.objectContaining({ reason: 'not-allowed' })] });
      const other = await claim(withPolicy.realm, generateKeyPair(), { service: 'hecate-other' });
      expect(other.body.capabilities).toEqual(ECHO_CAP);
    } finally {
      await withPolicy.stop();
    }
  });

  describe('lifetimes of seconds', () => {
    const shortLived = (seconds: number): PolicyInput => ({
      name: 'dev-short',
      services: { 'hecate-echo': { grants: { 'hecate://echo/*': ['echo/answer_query'] }, maxLifetimeSeconds: seconds, enroll: { joinTokens: true } } },
    });

    it(`grants a credential of ${DEVELOPMENT_MIN_LIFETIME_SECONDS} s when its policy allows no more`, async () => {
      const shortRealm = await startTestRealm({ dev: true, policy: shortLived(DEVELOPMENT_MIN_LIFETIME_SECONDS) });
      try {
        const answer = await claim(shortRealm.realm, generateKeyPair(), { service: 'hecate-echo', lifetimeSeconds: 3600 });
        const parsed = parseUcan(answer.body.credential as string);
        if (!parsed.ok) throw new Error('the credential does not parse');
        expect((parsed.ucan.payload.exp as number) - (parsed.ucan.payload.nbf as number)).toBe(DEVELOPMENT_MIN_LIFETIME_SECONDS);
      } finally {
        await shortRealm.stop();
      }
    });

    it('refuses a lifetime under its own floor', () => {
      const policy = parsePolicy(shortLived(DEVELOPMENT_MIN_LIFETIME_SECONDS - 1), { dev: true });
      expect(policy.ok ? [] : policy.problems).toEqual([
        { path: '$.services["hecate-echo"].maxLifetimeSeconds', message: `must be at least ${DEVELOPMENT_MIN_LIFETIME_SECONDS} seconds` },
      ]);
    });

    it('are refused, naming the JSON path, by a realm out of development mode', async () => {
      const dataDir = await temporaryDirectory();
      try {
        const started = await startRealm({ dataDir, policy: shortLived(MIN_LIFETIME_SECONDS - 1), port: 0, log: () => undefined });
        expect(started).toMatchObject({
          ok: false,
          error: { code: 'INVALID_POLICY', problems: [{ path: '$.services["hecate-echo"].maxLifetimeSeconds', message: `must be at least ${MIN_LIFETIME_SECONDS} seconds` }] },
        });
      } finally {
        await removeDirectory(dataDir);
      }
    });
  });
});
