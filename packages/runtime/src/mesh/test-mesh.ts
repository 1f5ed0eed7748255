import type { Capability, HecateService, Mesh, MeshAuthorization, MeshProvider } from '@hecate-om/contract';
import { ServiceResponseType, type ServiceInfo } from 'nats';
import { createLogger } from '../logger.js';
import { answerCall } from './answer.js';
import { UNAUTHORIZED_CALLS, type CallAuthorization } from './authorization.js';
import { callCapability, readAnswer, type Attempt, type SendAttempt } from './caller.js';
import { encodeJson } from './envelope.js';
import { HandlerRegistry } from './handlers.js';
import { createInvocationAuthorization } from './invocation-authorization.js';
import { ProviderView } from './provider-view.js';
import { endpointName, instanceSubject, METADATA } from './subjects.js';
import { TEST_CREDENTIAL_LIFETIME_SECONDS, TestRealm } from './test-realm.js';
import { watchProviders } from './watch.js';

/** One service on a test mesh: the `Mesh` its `start(opts)` receives, its identity, and a way to leave. */
export interface TestMeshMember extends Mesh {
  /** The member's instance id, as providers show it. */
  readonly instance: string;
  /** The member's DID (a key made when it joined), as its advertisement shows it; empty with authorization `off`. */
  readonly did: string;
  /**
   * Revokes the member's credential at the test realm: every provider then refuses its calls as
   * `unauthorized` with reason `revoked`, as after the realm's revocation list is fetched.
   * With authorization `off`, there is nothing to revoke and calls go on.
   */
  revokeCredential(): void;
  /** Withdraws the member, as a shutdown does: it leaves every view, and calls to it find no provider. */
  leave(): void;
}

export interface TestMeshJoinOptions {
  /**
   * The capabilities the member may call, as the realm policy's `mesh` list for its service: its
   * credential grants `mesh/call` on `hecate://mesh/<name>` for each, `*` for every one (as the
   * development realm grants). Calling another is refused as `unauthorized` (`not_granted`).
   * @default [] (it may call nothing, as a service the policy lists no `mesh` for)
   */
  readonly calls?: readonly string[];
  /**
   * Seconds its credential is valid from now; once expired its calls are refused as `unauthorized`
   * (`no_credential`), as an instance whose credential expired. @default 3600
   */
  readonly credentialLifetimeSeconds?: number;
}

export interface TestMesh {
  /** The DID of the test realm: the root every member's credential is issued by; empty with authorization `off`. */
  readonly realmDid: string;
  /**
   * Adds a service to the mesh (an instance of the service class, or anything with its `info()` and
   * `capabilities()`): it gets a key and a credential from the test realm for `options.calls`, and is
   * advertised at once, each capability answering once `serve()` is called. Throws a TypeError for
   * a `calls` entry that is no capability name or a lifetime under one second.
   */
  join(service: Pick<HecateService<unknown>, 'info' | 'capabilities'>, options?: TestMeshJoinOptions): TestMeshMember;
}

export interface TestMeshOptions {
  /**
   * `on`: every call authorized as the runtime authorizes it (`HECATE_MESH_AUTHORIZATION=on`);
   * `off`: no token sent or checked, as `HECATE_MESH_AUTHORIZATION=off`. @default 'on'
   */
  readonly authorization?: MeshAuthorization;
}

interface Member {
  readonly capabilities: readonly Capability[];
  readonly handlers: HandlerRegistry;
  readonly authorization: CallAuthorization;
}

/** The invocation authorization logs only for `off` and for a missing identity, neither of which a member has. */
const SILENT = /* @__PURE__ */ createLogger({ level: 'silent', service: { name: 'test-mesh', version: '0.0.0' }, write: () => {} });

/**
 * The mesh in one process, for service authors' unit tests: `join()` each service, pass the member
 * to `start(opts)` as `opts.mesh`, and call through another member. Calls take the path they take on
 * NATS, bar the network: payloads and answers JSON-encoded and bounded, the same failover, errors
 * and suspects, per-attempt timeouts on real timers, and the same authorization: a realm root made
 * for the mesh grants each member a credential for what it `calls`, each attempt carries an
 * invocation issued by `@hecate-om/ucan` as the runtime's caller issues it, and the provider
 * member verifies it before its handler with the runtime's verifier (chain to the test realm,
 * audience, grant, freshness, replay, revocation), so a call the realm's policy would refuse is
 * refused with the same `unauthorized` error and reason.
 */
export function createTestMesh(options: TestMeshOptions = {}): TestMesh {
  const realm = options.authorization === 'off' ? undefined : new TestRealm();
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
    const answered = await answerCall(capability, body, headers, member.handlers, member.authorization);
    const encoded = encodeJson(answered, `the answer of ${capability.name}`);
    return encoded.ok ? readAnswer(encoded.bytes, provider) : { ok: false, error: encoded.error };
  };

  return {
    realmDid: realm?.did ?? '',
    join(service, joinOptions = {}) {
      const info = service.info();
      const capabilities = service.capabilities();
      const enrolled = realm?.enroll({ calls: joinOptions.calls ?? [], lifetimeSeconds: joinOptions.credentialLifetimeSeconds ?? TEST_CREDENTIAL_LIFETIME_SECONDS });
      const authorization =
        enrolled === undefined ? UNAUTHORIZED_CALLS : createInvocationAuthorization({ setting: 'on', identity: () => enrolled.identity, log: SILENT });
      const did = enrolled?.identity.key.did ?? '';
      const instance = `test-${info.name}-${++next}`;
      const handlers = new HandlerRegistry(capabilities);
      members.set(instance, { capabilities, handlers, authorization });
      view.upsert(serviceInfoOf(info, capabilities, instance, did, realm?.did ?? ''));
      return {
        instance,
        did,
        revokeCredential: () => {
          if (enrolled !== undefined) realm?.revoke(enrolled.credentialCid);
        },
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
function serviceInfoOf(info: ReturnType<HecateService<unknown>['info']>, capabilities: readonly Capability[], instance: string, did: string, realmDid: string): ServiceInfo {
  return {
    type: ServiceResponseType.INFO,
    name: info.name,
    id: instance,
    version: info.version,
    description: info.description,
    metadata: { [METADATA.did]: did, [METADATA.realm]: realmDid },
    endpoints: capabilities.map((capability) => ({
      name: endpointName(capability, 'instance'),
      subject: instanceSubject(capability, instance),
      metadata: { [METADATA.capability]: capability.name, [METADATA.version]: String(capability.version), [METADATA.addressing]: 'instance' },
    })),
  };
}
