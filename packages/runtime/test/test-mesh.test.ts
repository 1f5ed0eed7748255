import { HecateService, type Health, type StartOptions } from '@hecate-om/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestMesh } from '../src/index.js';

class Greeter extends HecateService {
  start(opts: StartOptions): void {
    opts.mesh.serve('greet.hello', (payload) => {
      const { name } = payload as { name?: unknown };
      if (typeof name !== 'string') throw new TypeError('name must be a string');
      return { greeting: `hello ${name}` };
    });
  }
  stop(): void {}
  health(): Health {
    return 'ok';
  }
  capabilities() {
    return [{ name: 'greet.hello', version: 2 }] as const;
  }
  identitySpec() {
    return { scope: 'greet', actions: ['answer'], resources: ['greet/*'], ttlDays: 7 };
  }
  info() {
    return { name: 'greeter', version: '1.2.0', description: 'Greets' };
  }
}

const caller = { info: () => ({ name: 'caller', version: '1.0.0', description: 'Calls' }), capabilities: () => [] };

/** What `start(opts)` receives, with the member as its mesh; the rest is not read by Greeter. */
const startWith = (mesh: StartOptions['mesh']): StartOptions => ({ mesh }) as StartOptions;

describe('createTestMesh', () => {
  it("calls a service's handler in the same process, with its answer and the provider it came from", async () => {
    const mesh = createTestMesh();
    const greeter = mesh.join(new Greeter());
    new Greeter().start(startWith(greeter));
    const client = mesh.join(caller, { calls: ['greet.hello'] });
    expect(greeter.did).toMatch(/^did:key:z6Mk/);
    expect(client.lookup('greet.hello')).toEqual([
      expect.objectContaining({ service: 'greeter', serviceVersion: '1.2.0', capability: 'greet.hello', version: 2, did: greeter.did, health: 'ok' }),
    ]);
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true, value: { greeting: 'hello Ada' }, provider: { instance: greeter.instance } });
  });

  it('returns the errors the mesh returns: handler_error, no_providers (also below minVersion or after leave), payload_too_large, timeout', async () => {
    const mesh = createTestMesh();
    const greeter = mesh.join(new Greeter());
    new Greeter().start(startWith(greeter));
    const client = mesh.join(caller, { calls: ['greet.hello'] });
    const answeredBy = expect.objectContaining({ service: 'greeter', instance: greeter.instance, capability: 'greet.hello', version: 2 });
    expect(await client.call('greet.hello', { name: 7 })).toEqual({ ok: false, error: { code: 'handler_error', message: 'TypeError: name must be a string', provider: answeredBy } });
    // The caller's own input is refused before any provider is tried, and not blamed on one.
    expect(await client.call('greet.hello', { name: 1n })).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: 'the payload is not JSON: Do not know how to serialize a BigInt' },
    });
    expect(await client.call('greet.hello', {}, { minVersion: 3 })).toEqual({ ok: false, error: { code: 'no_providers', message: 'no instance advertises greet.hello v3 or later' } });
    expect(await client.call('greet.hello', { name: 'x'.repeat(300_000) })).toEqual({
      ok: false,
      error: { code: 'payload_too_large', message: 'the payload is 300011 bytes of JSON: the mesh carries at most 262144' },
    });
    const slow = mesh.join(new Greeter());
    slow.serve('greet.hello', () => new Promise(() => {}));
    greeter.leave();
    expect(await client.call('greet.hello', { name: 'Ada' }, { timeout: 50 })).toEqual({
      ok: false,
      error: { code: 'timeout', message: `greeter instance ${slow.instance} did not answer greet.hello within 50 ms`, provider: expect.objectContaining({ instance: slow.instance }) },
    });
    expect(client.lookup('greet.hello').map((provider) => provider.health)).toEqual(['suspect']);
    slow.leave();
    expect(await client.call('greet.hello', {})).toEqual({ ok: false, error: { code: 'no_providers', message: 'no instance advertises greet.hello' } });
  });

  it('refuses to serve an undeclared capability, as the runtime does', () => {
    const member = createTestMesh().join(new Greeter());
    expect(() => member.serve('greet.bye', () => null)).toThrow('opts.mesh.serve("greet.bye"): the service does not declare greet.bye; capabilities() declares greet.hello v2');
  });

  it('fails an idempotent call over from a hung provider to the next, and watch() sees members come and go', async () => {
    const mesh = createTestMesh();
    const client = mesh.join(caller, { calls: ['greet.hello'] });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const change of client.watch('greet.hello')) {
        seen.push(`${change.type} ${change.provider.health}`);
        if (change.type === 'removed') break;
      }
    })();
    const hung = mesh.join(new Greeter());
    hung.serve('greet.hello', () => new Promise(() => {}));
    const healthy = mesh.join(new Greeter());
    new Greeter().start(startWith(healthy));
    const answers = await Promise.all([0, 1].map(() => client.call('greet.hello', { name: 'Ada' }, { idempotent: true, timeout: 50 })));
    expect(answers.map((answer) => answer.ok && answer.provider.instance)).toEqual([healthy.instance, healthy.instance]);
    hung.leave();
    await watching;
    expect(seen).toEqual(['added ok', 'added ok', 'changed suspect', 'removed suspect']);
  });

});

describe('createTestMesh authorizes every call as the runtime does', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A greeter that counts the calls reaching its handler, and a mesh it is on. */
  function greeterMesh(options: Parameters<typeof createTestMesh>[0] = {}) {
    const mesh = createTestMesh(options);
    const greeter = mesh.join(new Greeter());
    const reached: unknown[] = [];
    greeter.serve('greet.hello', (payload) => {
      reached.push(payload);
      return { greeting: 'hello' };
    });
    return { mesh, greeter, reached };
  }

  it("lets a call through whose credential grants it, carried as an invocation the provider verifies", async () => {
    const { mesh, reached } = greeterMesh();
    expect(mesh.realmDid).toMatch(/^did:key:z6Mk/);
    const client = mesh.join(caller, { calls: ['greet.hello'] });
    // Advertised as enrolled in the test realm, as a runtime instance advertises its pinned realm.
    expect(client.lookup('greet.hello')).toEqual([expect.objectContaining({ realm: mesh.realmDid })]);
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true, value: { greeting: 'hello' } });
    const everything = mesh.join(caller, { calls: ['*'] });
    expect(await everything.call('greet.hello', { name: 'Grace' })).toMatchObject({ ok: true });
    expect(reached).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
  });

  it('refuses a call the credential does not grant (unauthorized, not_granted) before anything is sent', async () => {
    const { mesh, greeter, reached } = greeterMesh();
    for (const calls of [[], ['greet.bye']]) {
      const result = await mesh.join(caller, { calls }).call('greet.hello', { name: 'Ada' });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'unauthorized',
          reason: 'not_granted',
          message: expect.stringMatching(/^the credential \S+ does not grant mesh\/call on hecate:\/\/mesh\/greet\.hello$/),
          provider: expect.objectContaining({ instance: greeter.instance }),
        },
      });
    }
    expect(reached).toEqual([]);
  });

  it('refuses the calls of a member whose credential expired (unauthorized, no_credential)', async () => {
    const { mesh, greeter, reached } = greeterMesh();
    const client = mesh.join(caller, { calls: ['greet.hello'], credentialLifetimeSeconds: 60 });
    expect(await client.call('greet.hello', {})).toMatchObject({ ok: true });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    expect(await client.call('greet.hello', {})).toEqual({
      ok: false,
      error: {
        code: 'unauthorized',
        reason: 'no_credential',
        message: 'this instance holds no valid credential to call with',
        provider: expect.objectContaining({ instance: greeter.instance }),
      },
    });
    expect(reached).toHaveLength(1);
  });

  it('refuses, at the provider, the calls resting on a revoked credential (unauthorized, revoked)', async () => {
    const { mesh, greeter, reached } = greeterMesh();
    const client = mesh.join(caller, { calls: ['greet.hello'] });
    const other = mesh.join(caller, { calls: ['greet.hello'] });
    expect(await client.call('greet.hello', {})).toMatchObject({ ok: true });
    client.revokeCredential();
    expect(await client.call('greet.hello', {})).toEqual({
      ok: false,
      error: {
        code: 'unauthorized',
        reason: 'revoked',
        message: expect.stringMatching(/^revoked: UCAN_REVOKED in token \S+: the token is on the revocation list /),
        provider: expect.objectContaining({ instance: greeter.instance }),
      },
    });
    expect(await other.call('greet.hello', {})).toMatchObject({ ok: true });
    expect(reached).toHaveLength(2);
  });

  it('keeps its other errors with authorization on: no_providers for an undeclared capability, payload_too_large, handler_error', async () => {
    const { mesh, greeter } = greeterMesh();
    const client = mesh.join(caller, { calls: ['*'] });
    expect(() => greeter.serve('greet.bye', () => null)).toThrow('opts.mesh.serve("greet.bye"): the service does not declare greet.bye');
    expect(await client.call('greet.bye', {})).toEqual({ ok: false, error: { code: 'no_providers', message: 'no instance advertises greet.bye' } });
    expect(await client.call('greet.hello', 'x'.repeat(300_000))).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    const throwing = createTestMesh();
    const thrower = throwing.join(new Greeter());
    new Greeter().start(startWith(thrower));
    expect(await throwing.join(caller, { calls: ['greet.hello'] }).call('greet.hello', { name: 7 })).toEqual({
      ok: false,
      error: { code: 'handler_error', message: 'TypeError: name must be a string', provider: expect.objectContaining({ instance: thrower.instance }) },
    });
  });

  it('refuses calls lists that name no capability, and lifetimes under a second, as programming errors', () => {
    const mesh = createTestMesh();
    expect(() => mesh.join(caller, { calls: ['greet'] })).toThrow('createTestMesh: calls lists "greet": each must be a capability name such as billing.charge, or *');
    expect(() => mesh.join(caller, { credentialLifetimeSeconds: 0 })).toThrow('createTestMesh: credentialLifetimeSeconds must be a whole number of seconds, at least 1, got 0');
  });

  it("with authorization 'off', as HECATE_MESH_AUTHORIZATION=off, sends and checks no token: every call is let through", async () => {
    const { mesh, greeter, reached } = greeterMesh({ authorization: 'off' });
    const client = mesh.join(caller);
    expect([mesh.realmDid, greeter.did, client.lookup('greet.hello')[0]?.did, client.lookup('greet.hello')[0]?.realm]).toEqual(['', '', '', '']);
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true });
    client.revokeCredential();
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true });
    expect(reached).toHaveLength(2);
  });
});
