import { describe, expect, it } from 'vitest';
import {
  ContractValuesSchema,
  deriveManifest,
  deriveUcanRequest,
  manifestJsonSchema,
  parseManifest,
  type ContractValues,
} from '../src/index.js';

const echo: ContractValues = {
  info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
  capabilities: [{ name: 'echo.say', version: 1 }],
  identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
};
const facts = { imageRepository: 'ghcr.io/acme', license: 'Apache-2.0', runtimeVersion: '0.1.0' };

describe('deriveManifest', () => {
  it('derives every deployment field from the contract values and the facts', () => {
    const manifest = deriveManifest(echo, facts);
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      name: 'hecate-echo',
      image: 'ghcr.io/acme/hecate-echo:0.1.0',
      health: { port: 8470, path: '/health' },
      paths: { secrets: '/etc/hecate/secrets/hecate-echo', state: '/var/lib/hecate/hecate-echo' },
      runtime: { node: '>=20.19.0', hecateOm: '0.1.0' },
    });
    expect(manifest.contractHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parseManifest(manifest)).toEqual({ ok: true, value: manifest });
  });

  it('gives the same hash whatever the key order of the values', () => {
    const reordered: ContractValues = {
      identitySpec: { ttlDays: 30, resources: ['echo/*'], actions: ['answer_query'], scope: 'echo' },
      capabilities: [{ version: 1, name: 'echo.say' }],
      info: { description: 'Echoes over the mesh', version: '0.1.0', name: 'hecate-echo' },
    };
    expect(deriveManifest(reordered, facts).contractHash).toBe(deriveManifest(echo, facts).contractHash);
  });
});

describe('parseManifest', () => {
  it('reports every problem with its JSON path', () => {
    const manifest = deriveManifest(echo, facts);
    const broken = {
      ...manifest,
      name: 'Hecate_Echo',
      capabilities: [{ name: 'echo.say', version: 0 }, { name: 'Echo', version: 1 }],
      health: { port: 70000, path: '/health' },
    };
    const result = parseManifest(broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.path)).toEqual([
      '$.name',
      '$.capabilities[0].version',
      '$.capabilities[1].name',
      '$.health.port',
    ]);
  });

  it('refuses a manifest edited after it was derived', () => {
    const manifest = deriveManifest(echo, facts);
    const result = parseManifest({ ...manifest, capabilities: [{ name: 'echo.shout', version: 1 }] });
    expect(result).toMatchObject({ ok: false, problems: [{ path: '$.contractHash' }] });
  });

  it('refuses unknown fields and non-objects', () => {
    expect(parseManifest({ ...deriveManifest(echo, facts), extra: 1 })).toMatchObject({ ok: false, problems: [{ path: '$' }] });
    expect(parseManifest('manifest')).toMatchObject({ ok: false, problems: [{ path: '$' }] });
  });
});

describe('contract rules', () => {
  const problemsOf = (values: unknown): string[] => {
    const result = ContractValuesSchema.safeParse(values);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it.each(['systemd-journald', 'systemd-hecate', 'dbus', 'dbus-broker', 'sshd', 'podman-auto-update', 'cron'])(
    'refuses the service name %s, whose unit would shadow a host unit',
    (name) => {
      expect(problemsOf({ ...echo, info: { ...echo.info, name } })).toEqual([
        "info.name: is the name of a unit the host already runs (or of its family, such as systemd-*): the service's systemd unit would shadow it; choose another name",
      ]);
    },
  );

  it.each(['hecate-echo', 'sshd-audit', 'my-dbus', 'user-profiles', 'users'])('accepts the service name %s, which shadows no host unit', (name) => {
    expect(problemsOf({ ...echo, info: { ...echo.info, name } })).toEqual([]);
  });

  it('accepts the empty contract a scaffolded service starts with', () => {
    expect(problemsOf({ ...echo, capabilities: [], identitySpec: { scope: 'echo', actions: [], resources: [], ttlDays: 1 } })).toEqual([]);
  });

  it('reports duplicates and an unbounded ttl all at once', () => {
    expect(
      problemsOf({
        ...echo,
        capabilities: [{ name: 'echo.say', version: 1 }, { name: 'echo.say', version: 1 }],
        identitySpec: { scope: 'echo', actions: ['read', 'read'], resources: ['mail/*', 'mail/*'], ttlDays: 366 },
      }),
    ).toEqual([
      'capabilities.1: duplicates capability echo.say version 1 (already at index 0)',
      'identitySpec.ttlDays: must be at most 365 days',
      'identitySpec.actions.1: duplicates "read" (already at index 0)',
      'identitySpec.resources.1: duplicates "mail/*" (already at index 0)',
    ]);
  });

  it("accepts an Erlang hecate-om contract as written: hyphenated capability names, resources outside the scope", () => {
    expect(
      problemsOf({
        info: { name: 'hecate-rag', version: '1.0.0', description: 'Answers queries over corpora' },
        capabilities: [{ name: 'hecate-rag.answer_query', version: 1 }],
        identitySpec: { scope: 'hecate-rag', actions: ['read'], resources: ['corpora/*', 'hecate-rag/*'], ttlDays: 30 },
      }),
    ).toEqual([]);
  });

  it('keeps the safe alphabet of capability names and resources', () => {
    for (const name of ['-rag.query', 'rag.-query', 'hecate rag.q', 'Rag.q', 'rag', 'rag..q', 'rag.q/x'])
      expect(problemsOf({ ...echo, capabilities: [{ name, version: 1 }] }), name).toHaveLength(1);
    for (const resource of ['/corpora', 'corpora//x', 'corpora/*/x', 'Corpora', 'corpora/x y', '../x'])
      expect(problemsOf({ ...echo, identitySpec: { ...echo.identitySpec, resources: [resource] } }), resource).toHaveLength(1);
  });

  it('bounds the number of capabilities, actions and resources', () => {
    const capabilities = Array.from({ length: 257 }, (_, index) => ({ name: `echo.c${index}`, version: 1 }));
    const actions = Array.from({ length: 65 }, (_, index) => `a${index}`);
    const resources = Array.from({ length: 65 }, (_, index) => `echo/r${index}`);
    expect(problemsOf({ ...echo, capabilities, identitySpec: { ...echo.identitySpec, actions, resources } })).toEqual([
      'capabilities: must hold at most 256 capabilities',
      'identitySpec.actions: must hold at most 64 actions',
      'identitySpec.resources: must hold at most 64 resources',
    ]);
    expect(problemsOf({ ...echo, capabilities: capabilities.slice(0, 256), identitySpec: { ...echo.identitySpec, actions: actions.slice(0, 64), resources: resources.slice(0, 64) } })).toEqual([]);
  });

  it('finds a description of only zero-width or bidi-control characters empty', () => {
    for (const description of ['\u200B', '\u200B\u200C\u200D\u2060', '\uFEFF', ' \u200E\u200F ', '\u00A0\u3000'])
      expect(problemsOf({ ...echo, info: { ...echo.info, description } }), JSON.stringify(description)).toContain(
        'info.description: must not be empty (it holds no visible character)',
      );
  });

  it('refuses bidi embeddings, overrides and isolates in the description', () => {
    for (const override of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'])
      expect(problemsOf({ ...echo, info: { ...echo.info, description: `Echoes ${override}over the mesh` } })).toEqual([
        'info.description: must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069): they make text display otherwise than it reads',
      ]);
  });

  it('rejects control characters and line breaks in the description', () => {
    for (const description of ['two\nlines', 'tab\there', 'nul\u0000', 'sep\u2028x', 'half \uD800 a character'])
      expect(problemsOf({ ...echo, info: { ...echo.info, description } })).toEqual([
        'info.description: must not contain control characters or line breaks',
      ]);
  });

  it('rejects names that are not DNS labels and versions with build metadata', () => {
    for (const name of ['Echo', 'echo_svc', '-echo', 'echo-', 'echo--x', 'x'.repeat(64), '1echo'])
      expect(problemsOf({ ...echo, info: { ...echo.info, name } })).toHaveLength(1);
    expect(problemsOf({ ...echo, info: { ...echo.info, version: '1.0.0+build.1' } })).toHaveLength(1);
    expect(problemsOf({ ...echo, info: { ...echo.info, version: '1.0.0-rc.1' } })).toEqual([]);
  });
});

describe('deriveUcanRequest', () => {
  it('maps scope, actions and resources to UCAN 0.10 capabilities', () => {
    const manifest = deriveManifest(
      { ...echo, identitySpec: { scope: 'echo', actions: ['answer_query', 'read'], resources: ['echo/*', 'echo/log'], ttlDays: 2 } },
      facts,
    );
    expect(deriveUcanRequest(manifest)).toEqual({
      ucv: '0.10.0',
      service: { name: 'hecate-echo', version: '0.1.0' },
      cap: {
        'hecate://echo/*': { 'echo/answer_query': [{}], 'echo/read': [{}] },
        'hecate://echo/log': { 'echo/answer_query': [{}], 'echo/read': [{}] },
      },
      lifetimeSeconds: 172_800,
      contractHash: manifest.contractHash,
    });
  });

  it('asks for nothing when the spec names no actions', () => {
    const manifest = deriveManifest({ ...echo, identitySpec: { ...echo.identitySpec, actions: [] } }, facts);
    expect(deriveUcanRequest(manifest).cap).toEqual({});
  });
});

describe('manifestJsonSchema', () => {
  it('is generated from the zod schema with the rules as patterns', () => {
    const schema = manifestJsonSchema() as { required: string[]; properties: Record<string, { pattern?: string }> };
    expect(schema.required).toContain('contractHash');
    expect(schema.properties.name?.pattern).toBe('^[a-z](?:[a-z0-9]*(?:-[a-z0-9]+)*)?$');
  });
});
