import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../src/replay-cache.js';

describe('ReplayCache', () => {
  it('refuses a nonce an issuer already used while it may still verify, and keeps issuers apart', () => {
    const cache = new ReplayCache(10);
    expect(cache.remember('did:key:a', 'n1', 170, 100)).toBe('fresh');
    expect(cache.remember('did:key:a', 'n1', 170, 170)).toBe('replayed');
    expect(cache.remember('did:key:b', 'n1', 170, 100)).toBe('fresh');
  });

  it('stays bounded: when full of live entries it answers full rather than forget one', () => {
    const cache = new ReplayCache(2);
    expect(cache.remember('did:key:a', 'n1', 160, 100)).toBe('fresh');
    expect(cache.remember('did:key:a', 'n2', 170, 100)).toBe('fresh');
    expect(cache.remember('did:key:a', 'n3', 170, 100)).toBe('full');
    expect(cache.secondsUntilSpace(100)).toBe(61);
    // The first entry's token has expired by 161: its slot is reused, and the live one still refuses.
    expect(cache.remember('did:key:a', 'n3', 230, 161)).toBe('fresh');
    expect(cache.size).toBe(2);
    expect(cache.remember('did:key:a', 'n2', 230, 161)).toBe('replayed');
  });
});
