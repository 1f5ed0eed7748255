import { describe, expect, it } from 'vitest';
import { DELIVERED_PROOFS_MAX_PROVIDERS, DeliveredProofs } from '../src/mesh/delivered-proofs.js';

describe('DeliveredProofs', () => {
  it('has a call carry a credential to a provider once, and again once the credential is renewed', () => {
    const delivered = new DeliveredProofs();
    expect(delivered.maxProviders).toBe(DELIVERED_PROOFS_MAX_PROVIDERS);
    expect([delivered.mustCarry('did:key:a', 'credential-1'), delivered.mustCarry('did:key:a', 'credential-1')]).toEqual([true, false]);
    expect(delivered.mustCarry('did:key:b', 'credential-1')).toBe(true);
    expect([delivered.mustCarry('did:key:a', 'credential-2'), delivered.mustCarry('did:key:a', 'credential-2')]).toEqual([true, false]);
    expect(delivered.size).toBe(2);
  });

  it('holds at most maxProviders, forgetting the one least recently called, which is then sent the proofs again', () => {
    const delivered = new DeliveredProofs(2);
    delivered.mustCarry('did:key:a', 'c');
    delivered.mustCarry('did:key:b', 'c');
    // Calling a again makes b the least recently called.
    expect(delivered.mustCarry('did:key:a', 'c')).toBe(false);
    expect(delivered.mustCarry('did:key:c', 'c')).toBe(true);
    expect(delivered.size).toBe(2);
    expect(delivered.mustCarry('did:key:a', 'c')).toBe(false);
    expect(delivered.mustCarry('did:key:b', 'c')).toBe(true);
    expect(delivered.size).toBe(2);
  });

  it('refuses a bound no caller could mean', () => {
    expect(() => new DeliveredProofs(0)).toThrow('DeliveredProofs: maxProviders must be a positive integer, got 0');
    expect(() => new DeliveredProofs(1.5)).toThrow('got 1.5');
  });
});
