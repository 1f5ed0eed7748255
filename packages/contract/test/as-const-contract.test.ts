import { describe, expect, it } from 'vitest';
import { ContractValuesSchema, HecateService, type Health } from '../src/index.js';

/** The contract as the README teaches it, every value `as const`: it must type-check (no TS2416). */
class AsConstService extends HecateService {
  start(): void {}
  stop(): void {}
  health(): Health {
    return 'ok';
  }
  capabilities() {
    return [{ name: 'echo.say', version: 1 }] as const;
  }
  identitySpec() {
    return { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 } as const;
  }
  info() {
    return { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' } as const;
  }
}

describe('a contract written as const', () => {
  it('type-checks against HecateService and satisfies the contract rules', () => {
    const service = new AsConstService();
    const values = { info: service.info(), capabilities: service.capabilities(), identitySpec: service.identitySpec() };
    expect(ContractValuesSchema.safeParse(values).success).toBe(true);
  });
});
