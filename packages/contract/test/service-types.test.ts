import { describe, expectTypeOf, it } from 'vitest';
import {
  type BuildTimeMember,
  type Capability,
  type ContractMember,
  type ContractValues,
  type Health,
  HecateService,
  type HecateServiceClass,
  type IdentitySpec,
  type Info,
  type Logger,
  type Manifest,
  type Mesh,
  type MeshCallResult,
  type MeshErrorCode,
  type MeshHandler,
  type MeshProvider,
  type RuntimeConfig,
  type ServiceIdentity,
  type StartOptions,
  type UcanRequest,
  deriveManifest,
  parseManifest,
} from '../src/index.js';

class Counter extends HecateService<{ count: number }> {
  start(_opts: StartOptions): { count: number } {
    return { count: 0 };
  }
  stop(_state: { count: number }): void {}
  health(): Health {
    return 'ok';
  }
  capabilities(): readonly Capability[] {
    return [];
  }
  identitySpec(): IdentitySpec {
    return { scope: 'counter', actions: [], resources: [], ttlDays: 1 };
  }
  info(): Info {
    return { name: 'counter', version: '1.0.0', description: 'Counts' };
  }
}

// The compiler checks these; at run time they do nothing.
describe('the types a service author compiles against', () => {
  it('HecateService<State> passes what start() returns to stop()', () => {
    expectTypeOf<Parameters<HecateService<{ count: number }>['stop']>[0]>().toEqualTypeOf<{ count: number }>();
    expectTypeOf<ReturnType<HecateService<{ count: number }>['start']>>().toEqualTypeOf<{ count: number } | Promise<{ count: number }>>();
    expectTypeOf<Parameters<HecateService['stop']>[0]>().toBeVoid();
    expectTypeOf(Counter).toExtend<HecateServiceClass<{ count: number }>>();
  });

  it('start() receives the config, the logger, the manifest, an abort signal, the mesh and, with a realm, its identity', () => {
    expectTypeOf<StartOptions>().toEqualTypeOf<{
      readonly config: RuntimeConfig;
      readonly log: Logger;
      readonly manifest: Manifest;
      readonly signal: AbortSignal;
      readonly identity?: ServiceIdentity;
      readonly mesh: Mesh;
    }>();
    expectTypeOf<ServiceIdentity['did']>().toEqualTypeOf<string>();
    expectTypeOf<ServiceIdentity['credential']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RuntimeConfig['meshUrls']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<RuntimeConfig['healthPort']>().toEqualTypeOf<number>();
    expectTypeOf<RuntimeConfig['logLevel']>().toEqualTypeOf<'debug' | 'info' | 'warn' | 'error' | 'silent'>();
  });

  it('a mesh call resolves a value or a structured error with a closed set of codes, never a throw', () => {
    expectTypeOf<ReturnType<Mesh['call']>>().toEqualTypeOf<Promise<MeshCallResult>>();
    expectTypeOf<MeshErrorCode>().toEqualTypeOf<'no_providers' | 'timeout' | 'unauthorized' | 'handler_error' | 'payload_too_large' | 'disconnected' | 'invalid_payload'>();
    expectTypeOf<Parameters<Mesh['serve']>>().toEqualTypeOf<[capability: string, handler: MeshHandler]>();
    expectTypeOf<ReturnType<Mesh['lookup']>>().toEqualTypeOf<readonly MeshProvider[]>();
  });

  it('health() answers ok, degraded with a reason, or down with a reason', () => {
    expectTypeOf<'ok'>().toExtend<Health>();
    expectTypeOf<{ degraded: string }>().toExtend<Health>();
    expectTypeOf<{ down: string }>().toExtend<Health>();
    expectTypeOf<'fine'>().not.toExtend<Health>();
    expectTypeOf<{ degraded: number }>().not.toExtend<Health>();
  });

  it('the six members are the class members, and the build-time ones are the contract values', () => {
    expectTypeOf<ContractMember>().toEqualTypeOf<'start' | 'stop' | 'health' | 'capabilities' | 'identitySpec' | 'info'>();
    expectTypeOf<BuildTimeMember>().toEqualTypeOf<keyof ContractValues>();
    expectTypeOf<ContractValues['info']>().toEqualTypeOf<Info>();
    expectTypeOf<Capability>().toEqualTypeOf<{ name: string; version: number }>();
    // Readonly, so that a spec written `as const` type-checks (issue 9).
    expectTypeOf<IdentitySpec>().toEqualTypeOf<{
      readonly scope: string;
      readonly actions: readonly string[];
      readonly resources: readonly string[];
      readonly ttlDays: number;
    }>();
  });

  it('the manifest functions take and give the schema types', () => {
    expectTypeOf(deriveManifest).returns.toEqualTypeOf<Manifest>();
    expectTypeOf(parseManifest).returns.toEqualTypeOf<
      { readonly ok: true; readonly value: Manifest } | { readonly ok: false; readonly problems: readonly { readonly path: string; readonly message: string }[] }
    >();
    expectTypeOf<UcanRequest['lifetimeSeconds']>().toEqualTypeOf<number>();
  });
});
