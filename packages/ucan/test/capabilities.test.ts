import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abilityCovers,
  capabilitiesCover,
  capabilityList,
  caveatNarrows,
  intersectCapabilities,
  resourceCovers,
  type Capabilities,
  type Caveat,
} from '../src/index.js';

/** Whether every capability of `wanted` is covered by `granted` (the attenuation relation). */
const within = (wanted: Capabilities, granted: Capabilities): boolean =>
  capabilityList(wanted).every((capability) => capabilitiesCover(capabilityList(granted), capability));

describe('abilities (spec 2.3, 5.2)', () => {
  it('compares abilities case-insensitively, as the spec example lists', () => {
    for (const spelling of ['http/post', 'http/POST', 'HTTP/post', 'HTTP/POST', 'hTtP/pOsT']) expect(abilityCovers('http/post', spelling)).toBe(true);
  });

  it('keeps namespaces apart: http/put is not db/put', () => {
    expect(abilityCovers('http/put', 'db/put')).toBe(false);
  });

  it('lets the top ability * cover every ability, and ns/* every ability of its namespace', () => {
    expect(abilityCovers('*', 'msg/send')).toBe(true);
    expect(abilityCovers('msg/*', 'msg/send')).toBe(true);
    expect(abilityCovers('msg/*', 'msg/receive')).toBe(true);
    expect(abilityCovers('msg/*', 'crud/read')).toBe(false);
    expect(abilityCovers('msg/send', 'msg/*')).toBe(false);
    expect(abilityCovers('msg/*', '*')).toBe(false);
  });
});

describe('resources', () => {
  it('covers a path and everything beneath a /* resource, and nothing beside it', () => {
    expect(resourceCovers('hecate://echo/*', 'hecate://echo/inbox')).toBe(true);
    expect(resourceCovers('hecate://echo/*', 'hecate://echo/inbox/*')).toBe(true);
    expect(resourceCovers('hecate://echo/*', 'hecate://echoes')).toBe(false);
    expect(resourceCovers('hecate://echo/*', 'hecate://echo')).toBe(false);
    expect(resourceCovers('hecate://echo/inbox', 'hecate://echo/inbox/x')).toBe(false);
  });
});

describe('caveats (spec 3.2.6.3, the table of proof and delegated caveats)', () => {
  const x: Caveat = { status: 'draft' };
  const y: Caveat = { status: 'published', 'day-of-week': 'Monday' };
  const z: Caveat = { max_count: 5 };
  const ok = (proof: Caveat[], delegated: Caveat[]): boolean =>
    within({ 'https://example.com/blog': { 'crud/update': delegated } }, { 'https://example.com/blog': { 'crud/update': proof } });
  it.each([
    ['[{}] delegated as [{}]: equal', [{}], [{}], true],
    ['[x] delegated as [x]: equal', [x], [x], true],
    ['[x] delegated as [{}]: escalation to any', [x], [{}], false],
    ['[{}] delegated as [x]: attenuates {} to x', [{}], [x], true],
    ['[x] delegated as [y]: escalation by a different caveat', [x], [y], false],
    ['[x, y] delegated as [x]: removes a capability', [x, y], [x], true],
    ['[x, y] delegated as [x, y + z]: attenuates a caveat', [x, y], [x, { ...y, ...z }], true],
    ['[x, y] delegated as [x, y, z]: escalation by a new capability', [x, y], [x, y, z], false],
    ['[] delegated as [x]: no capabilities', [], [x], false],
    ['[x] delegated as []: grants nothing, so escalates nothing', [x], [], true],
  ] as const)('%s', (_name, proof, delegated, valid) => {
    expect(ok([...proof], [...delegated])).toBe(valid);
  });

  it('compares arrays in caveats as sets', () => {
    expect(caveatNarrows({ templates: ['marketing', 'newsletter', 'newsletter'] }, { templates: ['newsletter', 'marketing'] })).toBe(true);
    expect(caveatNarrows({ templates: ['newsletter'] }, { templates: ['newsletter', 'marketing'] })).toBe(false);
    expect(caveatNarrows({ n: [1] }, { n: ['1'] })).toBe(false);
  });
});

describe('the spec example of attenuation (spec 2.8.1)', () => {
  const claimed: Capabilities = {
    'example://example.com/public/photos/': {
      'crud/read': [{}],
      'crud/delete': [{ matching: '/(?i)(\\W|^)(baloney|darn|drat|fooey|gosh\\sdarnit|heck)(\\W|$)/' }],
    },
    'mailto:username@example.com': {
      'msg/send': [{}],
      'msg/receive': [{ max_count: 5, templates: ['newsletter', 'marketing'] }],
    },
  };
  const proof: Capabilities = {
    'example://example.com/public/photos/': { 'crud/read': [{}], 'crud/delete': [{}] },
    'mailto:username@example.com': { 'msg/send': [{}], 'msg/receive': [{ max_count: 5, templates: ['newsletter', 'marketing'] }] },
    'dns:example.com': { 'crud/create': [{ type: 'A' }, { type: 'CNAME' }, { type: 'TXT' }] },
  };

  it('finds the claimed capabilities within the proof, and not the other way round', () => {
    expect(within(claimed, proof)).toBe(true);
    expect(within(proof, claimed)).toBe(false);
  });

  it('intersects them back to the claim', () => {
    expect(intersectCapabilities(claimed, proof)).toEqual(claimed);
  });
});

describe('intersectCapabilities', () => {
  it('grants the part of a broad request that policy allows, and the request where policy is broader', () => {
    const requested: Capabilities = { 'hecate://echo/*': { 'echo/*': [{}] }, 'hecate://billing/x': { 'billing/read': [{}] } };
    const allowed: Capabilities = { 'hecate://echo/inbox/*': { 'echo/read': [{ max: 5 }] }, 'hecate://*': { 'billing/*': [{}] } };
    expect(intersectCapabilities(requested, allowed)).toEqual({
      'hecate://echo/inbox/*': { 'echo/read': [{ max: 5 }] },
      'hecate://billing/x': { 'billing/read': [{}] },
    });
  });

  it('grants nothing where caveats conflict', () => {
    expect(intersectCapabilities({ 'hecate://a': { 'a/x': [{ n: 1 }] } }, { 'hecate://a': { 'a/x': [{ n: 2 }] } })).toEqual({});
  });

  const resource = fc.constantFrom('hecate://echo/*', 'hecate://echo/inbox', 'hecate://echo/inbox/*', 'hecate://billing/*', 'hecate://billing/x');
  const ability = fc.constantFrom('*', 'echo/*', 'echo/read', 'ECHO/Write', 'billing/*', 'billing/read');
  const caveat = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.constantFrom(1, 2), fc.constant(['p', 'q'])), { maxKeys: 2 }) as fc.Arbitrary<Caveat>;
  const capabilities = fc.dictionary(resource, fc.dictionary(ability, fc.array(caveat, { maxLength: 3 }), { minKeys: 1, maxKeys: 3 }), { maxKeys: 4 });

  it('returns only what both sets cover (never more than asked, never more than allowed)', () => {
    fc.assert(
      fc.property(capabilities, capabilities, (requested, allowed) => {
        const granted = intersectCapabilities(requested, allowed);
        expect(within(granted, requested)).toBe(true);
        expect(within(granted, allowed)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('returns every requested capability that the allowed set covers, unchanged', () => {
    fc.assert(
      fc.property(capabilities, capabilities, (requested, allowed) => {
        const granted = capabilityList(intersectCapabilities(requested, allowed));
        for (const wanted of capabilityList(requested))
          if (capabilitiesCover(capabilityList(allowed), wanted)) expect(capabilitiesCover(granted, wanted)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
