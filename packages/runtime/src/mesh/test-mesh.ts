import type { Capability, HecateService, Mesh, MeshProvider } from '@hecate-om/contract';
import { ServiceResponseType, type ServiceInfo } from 'nats';
import { answerCall } from './answer.js';
import { UNAUTHORIZED_CALLS, type CallAuthorization } from './authorization.js';
import { callCapability, readAnswer, type Attempt, type SendAttempt } from './caller.js';
import { encodeJson } from './envelope.js';
import { HandlerRegistry } from './handlers.js';
import { ProviderView } from './provider-view.js';
import { endpointName, instanceSubject, METADATA } from './subjects.js';
import { watchProviders } from './watch.js';

/** One service on a test mesh: the `Mesh` its `start(opts)` receives, and a way to leave. */
export interface TestMeshMember extends Mesh {
  /** The member's instance id, as providers show it. */
  readonly instance: string;
  /** Withdraws the member, as a shutdown does: it leaves every view, and calls to it find no provider. */
  leave(): void;
}

export interface TestMesh {
  /**
   * Adds a service to the mesh (an instance of the service class, or anything with its `info()` and
   * `capabilities()`): it is advertised at once, each capability answering once `serve()` is called.
   */
  join(service: Pick<HecateService<unknown>, 'info' | 'capabilities'>, options?: { readonly did?: string }): TestMeshMember;
}

export interface TestMeshOptions {
  /** How calls are authorized; the same seam the runtime uses. @default every call allowed */
  readonly authorization?: CallAuthorization;
}

interface Member {
  readonly capabilities: readonly Capability[];
  readonly handlers: HandlerRegistry;
}

/**
 * The mesh in one process, for service authors' unit tests: `join()` each service, pass the member
 * to `start(opts)` as `opts.mesh`, and call through another member. Calls take the path they take on
 * NATS, bar the network: payloads and answers JSON-encoded and bounded, the same authorization,
 * the same failover, errors and suspects, per-attempt timeouts on real timers.
 */
export function createTestMesh(options: TestMeshOptions = {}): TestMesh {
  const authorization = options.authorization ?? UNAUTHORIZED_CALLS;
  const view = new ProviderView();
  const members = new Map<string, Member>();
  let next = 0;

  const send: SendAttempt = async (provider, body, headers, timeout) => {
    const member = members.get(provider.instance);
    const capability = member?.capabilities.find((declared) => declared.name === provider.capability && declared.version === provider.version);
    if (member === undefined || capability === undefined)
      return { ok: false, next: true, error: { code: 'no_providers', message: `${provider.service} instance ${provider.instance} is gone` } };
    return withTimeout(answer(provider, capability, body, headers, member), timeout, provider);
  };

  const answer = async (provider: MeshProvider, capability: Capability, body: Uint8Array, headers: Readonly<Record<string, string>>, member: Member): Promise<Attempt> => {
    const answered = await answerCall(capability, body, headers, member.handlers, authorization);
    const encoded = encodeJson(answered, `the answer of ${capability.name}`);
    return encoded.ok ? readAnswer(encoded.bytes, provider) : { ok: false, error: encoded.error };
  };

  return {
    join(service, joinOptions = {}) {
      const info = service.info();
      const capabilities = service.capabilities();
      const instance = `test-${info.name}-${++next}`;
      const handlers = new HandlerRegistry(capabilities);
      members.set(instance, { capabilities, handlers });
      view.upsert(serviceInfoOf(info, capabilities, instance, joinOptions.did ?? ''));
      return {
        instance,
        serve: (capability, handler) => handlers.serve(capability, handler),
        call: (capability, payload, callOptions) => callCapability(view, authorization, send, capability, payload, callOptions),
        lookup: (capability) => view.lookup(capability),
        // Every member is in the view from its join(): there is no sweep to wait for.
        discovered: async () => true,
        watch: (capability, watchOptions) => watchProviders(view, capability, watchOptions?.signal),
        leave: () => {
          members.delete(instance);
          view.remove(instance);
        },
      };
    },
  };
}

function withTimeout(attempt: Promise<Attempt>, timeout: number, provider: MeshProvider): Promise<Attempt> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Attempt>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, next: true, error: { code: 'timeout', message: `${provider.service} instance ${provider.instance} did not answer ${provider.capability} within ${timeout} ms` } }),
      timeout,
    );
  });
  return Promise.race([attempt, timedOut]).finally(() => clearTimeout(timer));
}

/** What the member's INFO reply would be on NATS, so the view reads it as it reads a real one. */
function serviceInfoOf(info: ReturnType<HecateService<unknown>['info']>, capabilities: readonly Capability[], instance: string, did: string): ServiceInfo {
  return {
    type: ServiceResponseType.INFO,
    name: info.name,
    id: instance,
    version: info.version,
    description: info.description,
    metadata: { [METADATA.did]: did },
    endpoints: capabilities.map((capability) => ({
      name: endpointName(capability, 'instance'),
      subject: instanceSubject(capability, instance),
      metadata: { [METADATA.capability]: capability.name, [METADATA.version]: String(capability.version), [METADATA.addressing]: 'instance' },
    })),
  };
}
