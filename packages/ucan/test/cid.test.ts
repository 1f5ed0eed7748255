import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { base36 } from 'multiformats/bases/base36';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { canonicalCidProblem, ucanCid } from '../src/index.js';

const multiformatsCid = (token: string): CID => CID.createV1(0x55, createDigest(0x12, createHash('sha256').update(token).digest()));

describe('CIDs', () => {
  it('computes the CID multiformats computes (CIDv1, raw, sha2-256, base32) for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (token) => {
        expect(ucanCid(token)).toBe(multiformatsCid(token).toString());
        expect(canonicalCidProblem(ucanCid(token))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('recognises canonical CIDs by their spelling exactly as decoding them would, one character changed anywhere', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const decodesCanonical = (value: string): boolean => {
      try {
        const cid = CID.parse(value);
        return cid.version === 1 && cid.code === 0x55 && cid.multihash.code === 0x12 && cid.multihash.size === 32 && cid.toString() === value;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.string(), fc.nat(58), fc.nat(31), (token, position, letter) => {
        const cid = ucanCid(token);
        const changed = cid.slice(0, position + 1) + alphabet[letter] + cid.slice(position + 2);
        expect(canonicalCidProblem(changed) === undefined).toBe(decodesCanonical(changed));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a CID whose unused last bits are set', `${ucanCid('x').slice(0, -1)}${ucanCid('x').endsWith('b') ? 'c' : 'b'}`, 'is not a CID'],
    ['not a CID', 'hello', '"hello" is not a CID'],
    ['a base36 CIDv1', multiformatsCid('x').toString(base36), 'is not base32'],
    ['a CIDv0', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'is not base32'],
    ['a dag-json CID', CID.createV1(0x0129, multiformatsCid('x').multihash).toString(), 'does not use the raw codec (0x55)'],
    ['an identity-hash CID', CID.createV1(0x55, createDigest(0x00, new Uint8Array([1, 2]))).toString(), 'is not a sha2-256 hash'],
  ])('refuses %s', (_name, value, reason) => {
    expect(canonicalCidProblem(value)).toContain(reason);
  });
});

