import { writeFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateKeyPair, issueUcan, parseUcan, signRevocation, ucanCid, UCAN_RULES, verifyUcan, type UcanError } from '@hecate-om/ucan';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from './support/cli.js';
import { runCliWithInput } from './support/identity.js';

const realm = generateKeyPair();
const service = generateKeyPair();
const caller = generateKeyPair();
const ISSUED = 1_795_971_673;
const credential = issueUcan({
  issuer: realm,
  audience: service.did,
  capabilities: { 'hecate://echo/*': { 'echo/*': [{}] } },
  notBefore: ISSUED,
  expiration: ISSUED + 3600,
  nonce: 'credential-nonce',
  facts: { service: 'hecate-echo' },
});
const delegated = issueUcan({
  issuer: service,
  audience: caller.did,
  capabilities: { 'hecate://echo/inbox': { 'echo/read': [{}] } },
  notBefore: ISSUED + 60,
  expiration: ISSUED + 600,
  proofs: [credential.cid],
});
const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string): string => token.split('.')[1] ?? '';
const signatureOf = (token: string): string => token.split('.')[2] ?? '';

const run = (args: readonly string[]) => runCli(args, { cwd: repoRoot });
/** The lines the CLI prints for each error: the library's own message, which names the code, rule and CID. */
const errorLines = (errors: readonly UcanError[]): string[] => errors.map((error) => error.message);

describe('hecate-om token inspect', () => {
  it('prints the CID, principals, time bounds in UTC and relative, proofs, header and payload, exit code 0', async () => {
    const result = await run(['token', 'inspect', delegated.token]);
    expect([result.status, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `UCAN ${delegated.cid}`,
      `  issuer      ${service.did}`,
      `  audience    ${caller.did}`,
      expect.stringMatching(/^ {2}not before {2}2026-11-29T17:02:13Z \([\w ]+ ago, 1795971733\)$/),
      expect.stringMatching(/^ {2}expires {5}2026-11-29T17:11:13Z \([\w ]+ ago, 1795972273\)$/),
      `  proofs      ${credential.cid}`,
    ]);
    const parsed = parseUcan(delegated.token);
    expect(result.stdout).toContain(`\npayload\n${JSON.stringify(parsed.ok && parsed.ucan.payload, null, 2)}\n`);
    expect(result.stdout).toContain('\nheader\n{\n  "alg": "EdDSA",\n  "typ": "JWT"\n}\n');
  });

  it('reads the token from stdin when the argument is -, surrounding whitespace dropped, and reports it under --json', async () => {
    const result = await runCliWithInput(['token', 'inspect', '-', '--json'], { cwd: repoRoot, input: `\n${credential.token}\n` });
    expect(result.status).toBe(0);
    const parsed = parseUcan(credential.token);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      cid: credential.cid,
      header: { alg: 'EdDSA', typ: 'JWT' },
      payload: parsed.ok && parsed.ucan.payload,
      notBefore: { unix: ISSUED, utc: '2026-11-29T17:01:13Z', relative: expect.stringMatching(/ ago$/) },
      expiresAt: { unix: ISSUED + 3600, utc: '2026-11-29T18:01:13Z', relative: expect.stringMatching(/ ago$/) },
    });
  });

  it('says a token without nbf is valid from the epoch, and one with exp null never expires', async () => {
    const forever = issueUcan({ issuer: realm, audience: service.did, capabilities: {}, expiration: null });
    const result = await run(['token', 'inspect', forever.token]);
    expect(result.stdout.split('\n').slice(3, 6)).toEqual(['  not before  none (valid from the epoch)', '  expires     never (exp is null)', '  proofs      none']);
  });

  const header = b64({ alg: 'EdDSA', typ: 'JWT' });
  it.each([
    ['one segment', 'abc', ['UCAN_FORMAT']],
    ['four segments', `${credential.token}.x`, ['UCAN_FORMAT']],
    ['a segment that is not base64url', `${header}.pay!oad.${signatureOf(credential.token)}`, ['UCAN_FORMAT']],
    ['a header that is not JSON', `${b64('{alg')}.${payloadOf(credential.token)}.${signatureOf(credential.token)}`, ['UCAN_JSON']],
    ['a payload that is a JSON array', `${header}.${b64([1])}.${signatureOf(credential.token)}`, ['UCAN_JSON']],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${payloadOf(credential.token)}.`, ['UCAN_ALG_NONE']],
    ['another alg and typ', `${b64({ alg: 'ES256', typ: 'JOSE' })}.${payloadOf(credential.token)}.${signatureOf(credential.token)}`, ['UCAN_ALG', 'UCAN_TYP']],
    ['an old ucv and an exp of the wrong type', `${header}.${b64({ ucv: '0.8.1', iss: realm.did, aud: service.did, exp: '1h', cap: {} })}.${signatureOf(credential.token)}`, ['UCAN_VERSION', 'UCAN_PAYLOAD']],
    ['a token over 32 KiB', `${header}.${'A'.repeat(33 * 1024)}.${signatureOf(credential.token)}`, ['UCAN_TOO_LARGE']],
  ] as const)('refuses %s, printing every error code with the CID, exit code 1', async (_shape, token, codes) => {
    const parsed = parseUcan(token);
    if (parsed.ok) throw new Error('the test token must be malformed');
    expect(parsed.errors.map((error) => error.code).sort()).toEqual([...codes].sort());
    const result = await run(['token', 'inspect', token]);
    expect(result).toEqual({ status: 1, stdout: [...errorLines(parsed.errors), 'the token is not a well-formed UCAN', ''].join('\n'), stderr: '' });
    const cid = codes[0] === 'UCAN_TOO_LARGE' ? '' : ucanCid(token);
    for (const error of parsed.errors) {
      expect(error.cid).toBe(cid);
      expect(result.stdout).toContain(`${error.code} in ${cid === '' ? 'the input' : `token ${cid}`}`);
      expect(result.stdout).toContain(`(rule broken: ${UCAN_RULES[error.code].rule})`);
    }
  });

  it('reports the errors under --json, exit code 1', async () => {
    const result = await run(['token', 'inspect', 'abc', '--json']);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, errors: [{ code: 'UCAN_FORMAT', cid: ucanCid('abc'), message: expect.stringContaining('has 1') }] });
  });

  it('refuses an empty stdin and one far larger than a token as a usage error, exit code 2', async () => {
    expect(await runCliWithInput(['token', 'inspect', '-'], { cwd: repoRoot, input: ' \n' })).toEqual({
      status: 2,
      stdout: '',
      stderr: 'Error: token inspect: cannot read the token:\n  JWT: stdin was empty: pipe the token in, as in `echo $TOKEN | hecate-om token inspect -`\n',
    });
    const huge = await runCliWithInput(['token', 'inspect', '-'], { cwd: repoRoot, input: Buffer.alloc(1024 * 1024, 'A') });
    expect(huge).toEqual({ status: 2, stdout: '', stderr: 'Error: token inspect: cannot read the token:\n  JWT: stdin holds more than 33792 bytes: a UCAN is at most 32768\n' });
  });

  it('refuses a missing argument, exit code 2', async () => {
    const result = await run(['token', 'inspect']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Missing 1 required arg');
  });
});

describe('hecate-om token verify', () => {
  const during = String(ISSUED + 120);

  it('verifies a credential against its realm root and prints what it grants, exit code 0', async () => {
    const result = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during]);
    expect(result).toEqual({
      status: 0,
      stdout: [
        `valid: UCAN ${credential.cid}`,
        `  issuer    ${realm.did}`,
        `  audience  ${service.did}`,
        '  expires   2026-11-29T18:01:13Z',
        '  proofs    none',
        '  grants',
        `    echo/* on hecate://echo/* {} (owner ${realm.did})`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('verifies a delegated token with its proof given by --proof, the token read from stdin, under --json', async () => {
    const result = await runCliWithInput(['token', 'verify', '-', '--root', realm.did, '--proof', credential.token, '--now', during, '--json'], {
      cwd: repoRoot,
      input: delegated.token,
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      cid: delegated.cid,
      issuer: service.did,
      audience: caller.did,
      expiresAt: ISSUED + 600,
      authority: [{ resource: 'hecate://echo/inbox', ability: 'echo/read', caveat: {}, owner: realm.did }],
      proofs: [credential.cid],
    });
  });

  it.each([
    ['expired, past the 60 s of skew', credential.token, ['--now', String(ISSUED + 3600 + 61)], [['UCAN_EXPIRED', credential.cid]]],
    ['not yet valid', credential.token, ['--now', String(ISSUED - 61)], [['UCAN_NOT_YET_VALID', credential.cid]]],
    [
      'signed by another key',
      `${credential.token.split('.').slice(0, 2).join('.')}.${signatureOf(delegated.token)}`,
      ['--now', during],
      [['UCAN_SIGNATURE', ucanCid(`${credential.token.split('.').slice(0, 2).join('.')}.${signatureOf(delegated.token)}`)]],
    ],
    [
      'delegated without its proof',
      delegated.token,
      ['--now', during],
      [
        ['UCAN_ATTENUATION', delegated.cid],
        ['UCAN_PROOF_UNRESOLVABLE', credential.cid],
      ],
    ],
  ] as const)('refuses a token %s, printing each error code and CID, exit code 1', async (_case, token, flags, expected) => {
    const result = await run(['token', 'verify', token, '--root', realm.did, ...flags, '--json']);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; errors: UcanError[] };
    expect(report.ok).toBe(false);
    expect(report.errors.map((error) => [error.code, error.cid]).sort()).toEqual(expected.map(([code, cid]) => [code, cid]).sort());
  });

  it('prints each broken rule on its own line, naming its code and CID, then the count', async () => {
    const result = await run(['token', 'verify', delegated.token, '--root', realm.did, '--now', during]);
    const verified = await verifyUcan(delegated.token, { rootIssuers: [realm.did], now: ISSUED + 120 });
    if (verified.ok) throw new Error('the token must fail without its proof');
    expect(result).toEqual({ status: 1, stdout: [...errorLines(verified.errors), 'the token is not valid (2 broken rules)', ''].join('\n'), stderr: '' });
  });

  it('refuses a credential from another realm: nothing it grants is owned by the root given', async () => {
    const other = generateKeyPair();
    const result = await run(['token', 'verify', credential.token, '--root', other.did, '--now', during, '--json']);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      errors: [{ code: 'UCAN_ATTENUATION', cid: credential.cid, message: expect.stringContaining(`echo/* on hecate://echo/* with caveat {} is neither owned by ${realm.did}`) }],
    });
  });

  it('refuses a --root that is not an Ed25519 did:key and an empty stdin together, exit code 2', async () => {
    const result = await runCliWithInput(['token', 'verify', '-', '--root', 'did:web:example.com'], { cwd: repoRoot, input: '' });
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: [
        'Error: token verify: nothing was verified:',
        '  --root: "did:web:example.com" is not a did:key',
        '    hint: give the realm DID, did:key:z6Mk... (HECATE_REALM_DID)',
        '  JWT: stdin was empty: pipe the token in, as in `echo $TOKEN | hecate-om token inspect -`',
        '',
      ].join('\n'),
    });
  });

  it.each([
    ['a missing --root', ['token', 'verify', 'abc'], 'Missing required flag root'],
    ['a negative --now', ['token', 'verify', 'abc', '--root', 'did:key:z6Mk', '--now', '-5'], 'Expected an integer greater than or equal to 0 but received: -5'],
    ['an unknown flag', ['token', 'verify', 'abc', '--root', 'did:key:z6Mk', '--audience', 'x'], 'Nonexistent flag: --audience'],
  ])('refuses %s, exit code 2', async (_case, args, message) => {
    const result = await run(args);
    expect([result.status, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toContain(message);
  });
});

describe('hecate-om token verify --revocations', () => {
  const during = String(ISSUED + 120);
  let dir: string;
  let server: Server;
  let url: string;
  /** What the realm serves at GET /api/v1/revocations: set per test. */
  let served: unknown = { revocations: [] };

  beforeAll(async () => {
    dir = await tempDir('token-revocations');
    server = createServer((request, response) => {
      if (request.url !== '/api/v1/revocations') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/revocations`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  async function listFile(name: string, list: unknown): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(list));
    return file;
  }

  it("refuses a delegated token whose proof the realm revoked, from a file holding the realm's answer, exit code 1", async () => {
    const file = await listFile('revoked.json', { revocations: [{ ...signRevocation(realm, credential.cid), revokedAt: ISSUED + 60 }] });
    const result = await run(['token', 'verify', delegated.token, '--root', realm.did, '--proof', credential.token, '--now', during, '--revocations', file, '--json']);
    expect(result.status).toBe(1);
    // The revoked proof proves nothing, so the delegated token's capability is unproven too.
    const report = JSON.parse(result.stdout) as { ok: boolean; errors: UcanError[] };
    expect(report.ok).toBe(false);
    expect(report.errors.map(({ code, cid }) => [code, cid]).sort()).toEqual([
      ['UCAN_ATTENUATION', delegated.cid],
      ['UCAN_REVOKED', credential.cid],
    ]);
    expect(report.errors.find(({ code }) => code === 'UCAN_REVOKED')?.message).toBe(
      `UCAN_REVOKED in token ${credential.cid}: the token is on the revocation list (rule broken: ${UCAN_RULES.UCAN_REVOKED.rule})`,
    );
    const valid = await run(['token', 'verify', delegated.token, '--root', realm.did, '--proof', credential.token, '--now', during, '--json']);
    expect(valid.status).toBe(0);
  });

  it('refuses a revoked credential from the list at a URL, and takes one the list does not name', async () => {
    served = [signRevocation(realm, credential.cid)];
    const revoked = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during, '--revocations', url]);
    expect(revoked).toEqual({
      status: 1,
      stdout: [`UCAN_REVOKED in token ${credential.cid}: the token is on the revocation list (rule broken: ${UCAN_RULES.UCAN_REVOKED.rule})`, 'the token is not valid (1 broken rule)', ''].join('\n'),
      stderr: '',
    });
    served = { revocations: [signRevocation(realm, delegated.cid)] };
    const other = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during, '--revocations', url, '--json']);
    expect(other.status).toBe(0);
  });

  it('ignores, with a warning (or under --json in the report) naming each entry, a revocation by anyone but a --root DID or with a bad signature', async () => {
    const stranger = generateKeyPair();
    const forged = { ...signRevocation(realm, credential.cid), challenge: signRevocation(realm, delegated.cid).challenge };
    const file = await listFile('untrusted.json', { revocations: [signRevocation(stranger, credential.cid), forged] });
    const json = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during, '--revocations', file, '--json']);
    expect([json.status, json.stderr]).toEqual([0, '']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      cid: credential.cid,
      ignoredRevocations: [
        { path: '$.revocations[0]', reason: 'untrusted-issuer', message: `is issued by ${stranger.did}, not by ${realm.did}` },
        { path: '$.revocations[1]', reason: 'bad-signature', message: `its challenge is not ${realm.did}'s signature over REVOKE:${credential.cid}` },
      ],
    });
    const result = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during, '--revocations', file]);
    expect([result.status, result.stdout.split('\n')[0]]).toEqual([0, `valid: UCAN ${credential.cid}`]);
    expect(result.stderr).toBe(
      [
        `Warning: --revocations: $.revocations[0] is issued by ${stranger.did}, not by ${realm.did}: ignored`,
        `Warning: --revocations: $.revocations[1] its challenge is not ${realm.did}'s signature over REVOKE:${credential.cid}: ignored`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a list it cannot read, that is not JSON or holds no list, naming --revocations, exit code 2', async () => {
    const missing = join(dir, 'missing.json');
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, 'revoked: all');
    const noList = await listFile('no-list.json', { revoked: [] });
    for (const [source, message] of [
      [missing, `${missing}: ENOENT: no such file or directory, stat '${missing}'`],
      [notJson, `${notJson} is not JSON (Unexpected token 'r', "revoked: all" is not valid JSON)`],
      [noList, `${noList} is neither a list of revocations nor an object with one under "revocations"`],
      [`${url}/missing`, `${url}/missing answered 404 Not Found`],
    ]) {
      const result = await run(['token', 'verify', credential.token, '--root', realm.did, '--now', during, '--revocations', source!]);
      expect(result).toEqual({
        status: 2,
        stdout: '',
        stderr: [
          'Error: token verify: nothing was verified:',
          `  --revocations: ${message}`,
          "    hint: give the realm's GET /api/v1/revocations URL, or a file holding its answer",
          '',
        ].join('\n'),
      });
    }
  });
});
