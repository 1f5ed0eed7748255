// Interoperability of the JWS layer with an independent implementation, jose: tokens jose signs
// verify with ours, and tokens we issue verify with jose's compactVerify.
import { CompactSign, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair as joseGenerateKeyPair, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { didFromPublicKey, issueUcan, verifyUcan } from '../src/index.js';
import { HOUR, NOW, payloadOf, realm, service } from './forge.js';

describe('interop with jose', () => {
  it('verifies a UCAN that jose signed, with a key jose generated', async () => {
    const { publicKey, privateKey } = await joseGenerateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = await exportJWK(publicKey);
    const issuerDid = didFromPublicKey(Buffer.from(jwk.x as string, 'base64url'));
    const payload = { ...payloadOf(realm, service), iss: issuerDid };
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .sign(privateKey);
    const result = await verifyUcan(token, { rootIssuers: [issuerDid], now: NOW, audience: service.did });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.ucan.payload).toEqual(payload);
  });

  it('refuses a jose-signed token whose payload jose signed under another key', async () => {
    const signer = await joseGenerateKeyPair('EdDSA', { crv: 'Ed25519' });
    const payload = payloadOf(realm, service);
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(signer.privateKey);
    const result = await verifyUcan(token, { rootIssuers: [realm.did], now: NOW });
    expect(result.ok === false && result.errors.map((error) => error.code)).toEqual(['UCAN_SIGNATURE']);
  });

  it('lets jose verify a UCAN we issued, with exp null, against the public key its did:key names', async () => {
    const issued = issueUcan({ issuer: realm, audience: service.did, capabilities: { 'hecate://echo/*': { 'echo/*': [{}] } }, expiration: null, notBefore: NOW - HOUR });
    const key = await importJWK(realm.publicKey.export({ format: 'jwk' }) as Parameters<typeof importJWK>[0], 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(issued.token, key, { algorithms: ['EdDSA'] });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ ucv: '0.10.0', iss: realm.did, aud: service.did, exp: null });
  });

  it('lets jose refuse a UCAN we issued when checked against another key', async () => {
    const issued = issueUcan({ issuer: realm, audience: service.did, capabilities: {}, expiration: NOW });
    const key = await importJWK(service.publicKey.export({ format: 'jwk' }) as Parameters<typeof importJWK>[0], 'EdDSA');
    await expect(compactVerify(issued.token, key)).rejects.toThrow('signature verification failed');
  });
});
