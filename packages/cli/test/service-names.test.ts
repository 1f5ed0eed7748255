import { describe, expect, it } from 'vitest';
import { deriveServiceNames } from '../src/scaffold/service-names.js';
import { HECATE_BILLING_NAMES } from './helpers/scaffolded-repository.js';

describe('deriveServiceNames', () => {
  it('derives every name of a service from its kebab-case name, the org and the registry', () => {
    expect(deriveServiceNames('hecate-billing', { org: 'acme', registry: 'registry.example.com:5000' })).toEqual(HECATE_BILLING_NAMES);
  });

  it('does not double the Service suffix of a name that already ends in -service', () => {
    expect(deriveServiceNames('billing-service', { org: 'acme', registry: 'ghcr.io' }).className).toBe('BillingService');
  });

  it('keeps digits inside segments and names a one-word service', () => {
    const names = deriveServiceNames('s3-mirror2', { org: 'acme', registry: 'ghcr.io' });
    expect(names.className).toBe('S3Mirror2Service');
    expect(names.capabilityPrefix).toBe('s3_mirror2');
    expect(deriveServiceNames('echo', { org: 'acme', registry: 'ghcr.io' }).className).toBe('EchoService');
  });
});
