import { ContractValuesSchema, HecateService, deriveManifest, deriveUcanRequest } from '@hecate-om/contract';
import runtime from '@hecate-om/runtime/package.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import {{className}} from '../src/service.js';

const service = new {{className}}();
const values = { info: service.info(), capabilities: [...service.capabilities()], identitySpec: service.identitySpec() };

describe('the contract of {{name}}', () => {
  it('is a HecateService whose values obey the contract rules', () => {
    expect(service).toBeInstanceOf(HecateService);
    expect(ContractValuesSchema.safeParse(values).error).toBeUndefined();
  });

  it('goes by the names its package name derives', () => {
    const name = service.info().name;
    expect(pkg.name).toBe(`@{{org}}/${name}`);
    expect(service.identitySpec().scope).toBe(name);
    for (const capability of service.capabilities()) expect(capability.name).toMatch(/^{{capabilityPrefix}}\./);
  });

  it('reports the version and description of its package', () => {
    expect(service.info()).toMatchObject({ version: pkg.version, description: pkg.description });
  });

  it('advertises no capability', () => {
    expect(service.capabilities()).toEqual([]);
  });

  it('requests no authority from its realm', () => {
    expect(service.identitySpec()).toMatchObject({ actions: [], resources: [] });
    const facts = { imageRepository: '{{registry}}/{{org}}', license: pkg.license, runtimeVersion: runtime.version };
    expect(deriveUcanRequest(deriveManifest(values, facts)).cap).toEqual({});
  });

  it('reports itself healthy', async () => {
    expect(await service.health()).toBe('ok');
  });
});
