import { describe, expect, it } from 'vitest';
import { deriveManifest, deriveUcanRequest, parseUcanRequest } from '../src/index.js';

const manifest = deriveManifest(
  {
    info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
    capabilities: [{ name: 'echo.say', version: 1 }],
    identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
  },
  { imageRepository: 'ghcr.io/acme', license: 'Apache-2.0', runtimeVersion: '0.1.0' },
);
const request = deriveUcanRequest(manifest);

describe('parseUcanRequest', () => {
  it('accepts a derived request, alone and against its manifest', () => {
    expect(parseUcanRequest(JSON.parse(JSON.stringify(request)))).toEqual({ ok: true, value: request });
    expect(parseUcanRequest(JSON.parse(JSON.stringify(request)), manifest)).toEqual({ ok: true, value: request });
  });

  it('reports every schema problem with its JSON path', () => {
    expect(parseUcanRequest({ ...request, cap: { 'hecate://echo/*': { 'echo/answer_query': [{ limit: 1 }] } }, extra: true, contractHash: 7 })).toEqual({
      ok: false,
      problems: [
        { path: '$.cap["hecate://echo/*"]["echo/answer_query"][0]', message: 'Unrecognized key: "limit"' },
        { path: '$.contractHash', message: 'Invalid input: expected string, received number' },
        { path: '$', message: 'Unrecognized key: "extra"' },
      ],
    });
    expect(parseUcanRequest('{}')).toEqual({ ok: false, problems: [{ path: '$', message: 'Invalid input: expected object, received string' }] });
  });

  it('names each member that differs from what the manifest derives to', () => {
    const edited = { ...request, lifetimeSeconds: 365 * 86_400, cap: { 'hecate://echo/*': { 'echo/answer_query': [{}], 'echo/admin': [{}] } } };
    expect(parseUcanRequest(edited, manifest)).toEqual({
      ok: false,
      problems: [
        { path: '$.cap["hecate://echo/*"]["echo/admin"]', message: 'is [{}] but the manifest derives absent: the request was edited, or is from another build' },
        { path: '$.lifetimeSeconds', message: 'is 31536000 but the manifest derives 2592000: the request was edited, or is from another build' },
      ],
    });
  });
});
