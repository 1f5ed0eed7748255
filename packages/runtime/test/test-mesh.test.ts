import { HecateService, type Health, type StartOptions } from '@hecate-om/contract';
import { describe, expect, it } from 'vitest';
import { createTestMesh, type CallAuthorization } from '../src/index.js';

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
    const greeter = mesh.join(new Greeter(), { did: 'did:key:z6MkGreeter' });
    new Greeter().start(startWith(greeter));
    const client = mesh.join(caller);
    expect(client.lookup('greet.hello')).toEqual([
      expect.objectContaining({ service: 'greeter', serviceVersion: '1.2.0', capability: 'greet.hello', version: 2, did: 'did:key:z6MkGreeter', health: 'ok' }),
    ]);
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true, value: { greeting: 'hello Ada' }, provider: { instance: greeter.instance } });
  });

  it('returns the errors the mesh returns: handler_error, no_providers (also below minVersion or after leave), payload_too_large, timeout', async () => {
    const mesh = createTestMesh();
    const greeter = mesh.join(new Greeter());
    new Greeter().start(startWith(greeter));
    const client = mesh.join(caller);
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
    const client = mesh.join(caller);
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

  it('applies the authorization it is given on the provider side, with what the caller attached', async () => {
    const authorization: CallAuthorization = {
      attach: async (provider) => ({ ok: true, headers: { 'Hecate-Audience': provider.did } }),
      authorize: async (capability, headers) =>
        headers['Hecate-Audience'] === 'did:key:z6MkGreeter'
          ? { ok: true }
          : { ok: false, error: { code: 'unauthorized', message: `not addressed to this instance (${capability.name})` } },
    };
    const mesh = createTestMesh({ authorization });
    new Greeter().start(startWith(mesh.join(new Greeter(), { did: 'did:key:z6MkGreeter' })));
    const client = mesh.join(caller);
    expect(await client.call('greet.hello', { name: 'Ada' })).toMatchObject({ ok: true });
    const other = createTestMesh({ authorization });
    new Greeter().start(startWith(other.join(new Greeter(), { did: 'did:key:z6MkSomeoneElse' })));
    expect(await other.join(caller).call('greet.hello', { name: 'Ada' })).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: 'not addressed to this instance (greet.hello)', provider: expect.objectContaining({ did: 'did:key:z6MkSomeoneElse' }) },
    });
  });
});
