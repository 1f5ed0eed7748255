import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedCapabilities, formatPolicyProblems, parsePolicy, readPolicyFile, startRealm } from '../src/index.js';
import { removeDirectory, temporaryDirectory } from './realm-fixture.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/policies/${name}/policy.json`, import.meta.url));

describe('the policy file', () => {
  it('reads a valid policy, filling in the defaults', async () => {
    const policy = await readPolicyFile(fixture('valid'));
    expect(policy.ok).toBe(true);
    if (!policy.ok) return;
    expect(policy.value.services['hecate-billing']).toEqual({
      grants: { 'hecate://billing/*': ['billing/*'] },
      mesh: [],
      maxLifetimeSeconds: 86_400,
      enroll: { dids: ['did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'], joinTokens: false },
    });
  });

  it('grants mesh calls as mesh/call on hecate://mesh/<capability name>', async () => {
    const policy = await readPolicyFile(fixture('valid'));
    if (!policy.ok) throw new Error('the valid fixture is invalid');
    expect(allowedCapabilities(policy.value.services['hecate-echo']!)).toEqual({
      'hecate://echo/*': { 'echo/answer_query': [{}] },
      'hecate://mesh/billing.charge': { 'mesh/call': [{}] },
    });
  });

  it('reports every problem with its JSON path', async () => {
    const file = fixture('many-problems');
    const policy = await readPolicyFile(file);
    expect(policy.ok).toBe(false);
    if (policy.ok) return;
    expect(policy.problems.map(({ path, message }) => [path, message])).toEqual([
      ['$.name', 'must be lowercase kebab-case such as acme-production (a-z, 0-9, single hyphens, starting with a letter)'],
      ['$.services["hecate-echo"].grants["echo/*"]', expect.stringMatching(/^must be hecate:\/\/ followed by a resource path/)],
      ['$.services["hecate-echo"].grants["hecate://echo/*"][0]', expect.stringMatching(/^must be an ability such as echo\/answer_query/)],
      ['$.services["hecate-echo"].mesh[0]', expect.stringMatching(/^must be a mesh capability name such as billing.charge/)],
      ['$.services["hecate-echo"].maxLifetimeSeconds', 'must be at least 60 seconds'],
      ['$.services["hecate-echo"].enroll', 'no instance could ever enroll: list dids, or set joinTokens to true'],
      ['$.services["hecate-billing"].enroll.dids[1]', 'must be an Ed25519 did:key: "did:web:example.com" is not a did:key'],
      ['$.services["hecate-billing"]', 'Unrecognized key: "grant"'],
    ]);
    expect(policy.problems.every((problem) => problem.file === file)).toBe(true);
  });

  it('reports the rules that span fields once the fields themselves are valid', () => {
    const did = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
    const policy = parsePolicy({
      name: 'acme',
      services: {
        'hecate-echo': {
          grants: { 'hecate://mesh/billing.charge': ['mesh/call'], 'hecate://echo/*': ['echo/read', 'echo/read'] },
          mesh: ['billing.charge', 'billing.charge'],
          maxLifetimeSeconds: 60,
          enroll: { dids: [did] },
        },
        'hecate-other': { maxLifetimeSeconds: 60, enroll: { dids: [did] } },
      },
    });
    expect(policy.ok ? [] : policy.problems).toEqual([
      { path: '$.services["hecate-echo"].grants["hecate://mesh/billing.charge"]', message: 'mesh calls are granted through "mesh": list the capability names there' },
      { path: '$.services["hecate-echo"].grants["hecate://echo/*"][1]', message: 'duplicates "echo/read" (already at index 0)' },
      { path: '$.services["hecate-echo"].mesh[1]', message: 'duplicates "billing.charge" (already at index 0)' },
      { path: '$.services["hecate-other"].enroll.dids[0]', message: `is already enrolled for service "hecate-echo": an instance answers as one service` },
    ]);
  });

  it('locates a JSON syntax error at its line and column', async () => {
    const file = fixture('syntax-error');
    const policy = await readPolicyFile(file);
    expect(policy).toEqual({ ok: false, problems: [{ file, path: `${file}:4:1`, message: expect.stringMatching(/^is not JSON: /) }] });
  });

  it('names a missing policy file', async () => {
    const file = fixture('missing');
    expect(await readPolicyFile(file)).toEqual({ ok: false, problems: [{ file, path: file, message: expect.stringMatching(/^cannot read the policy file: ENOENT/) }] });
  });

  it('stops the realm from starting, with every problem', async () => {
    const dataDir = await temporaryDirectory();
    try {
      const file = fixture('many-problems');
      const started = await startRealm({ dataDir, policyFile: file, port: 0, log: () => undefined });
      expect(started).toMatchObject({ ok: false, error: { code: 'INVALID_POLICY', message: `${file} has 8 problem(s)` } });
      if (started.ok) return;
      expect(formatPolicyProblems(started.error.problems ?? []).split('\n')[0]).toBe(
        `${file}: $.name: must be lowercase kebab-case such as acme-production (a-z, 0-9, single hyphens, starting with a letter)`,
      );
      const none = await startRealm({ dataDir, port: 0, log: () => undefined });
      expect(none).toMatchObject({ ok: false, error: { code: 'INVALID_OPTIONS' } });
    } finally {
      await removeDirectory(dataDir);
    }
  });
});
