import { HecateService, type Capability, type Health, type IdentitySpec, type Info } from '@hecate-om/contract';
import { describe, expect, it } from 'vitest';
import { findContractDrift } from '../src/contract-drift.js';
import { echoManifest, echoValues } from './manifest-fixture.js';

class Echo extends HecateService {
  constructor(private readonly values: { info: () => Info; capabilities: () => readonly Capability[]; identitySpec: () => IdentitySpec }) {
    super();
  }
  start(): void {}
  stop(): void {}
  health(): Health {
    return 'ok';
  }
  capabilities(): readonly Capability[] {
    return this.values.capabilities();
  }
  identitySpec(): IdentitySpec {
    return this.values.identitySpec();
  }
  info(): Info {
    return this.values.info();
  }
}

const echo = (overrides: Partial<ConstructorParameters<typeof Echo>[0]> = {}): Echo =>
  new Echo({
    info: () => echoValues.info,
    capabilities: () => echoValues.capabilities,
    identitySpec: () => echoValues.identitySpec,
    ...overrides,
  });

describe('findContractDrift', () => {
  it('finds nothing when the code returns what the manifest was derived from, in any key order', () => {
    const reordered = echo({ identitySpec: () => ({ ttlDays: 30, resources: ['echo/*'], actions: ['answer_query'], scope: 'echo' }) });
    expect(findContractDrift(reordered, echoManifest)).toEqual([]);
  });

  it('names the member, the path and both values of a changed field', () => {
    expect(findContractDrift(echo({ capabilities: () => [{ name: 'echo.say', version: 2 }] }), echoManifest)).toEqual([
      'capabilities()[0].version is 2 but the manifest built into this release says 1',
    ]);
  });

  it('names added and removed entries and fields', () => {
    const drifted = echo({
      info: () => ({ name: 'hecate-echo', version: '0.2.0', description: 'Echoes over the mesh' }),
      capabilities: () => [
        { name: 'echo.say', version: 1 },
        { name: 'echo.shout', version: 1 },
      ],
      identitySpec: () => ({ scope: 'echo', actions: [], resources: ['echo/*'] }) as unknown as IdentitySpec,
    });
    expect(findContractDrift(drifted, echoManifest)).toEqual([
      'info().version is "0.2.0" but the manifest built into this release says "0.1.0"',
      'capabilities()[1] is {"name":"echo.shout","version":1} but the manifest built into this release has no such entry',
      'identitySpec().actions[0] is missing but the manifest built into this release says "answer_query"',
      'identitySpec().ttlDays is missing but the manifest built into this release says 30',
    ]);
  });

  it('reports a member that throws instead of returning', () => {
    const throwing = echo({
      info: () => {
        throw new RangeError('no info today');
      },
    });
    expect(findContractDrift(throwing, echoManifest)).toEqual([
      'info() threw RangeError: no info today; the manifest built into this release expects a value',
    ]);
  });
});
