import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MESH_CALL_ABILITY, meshResource } from '@hecate-om/contract';
import {
  capabilitiesCover,
  capabilityList,
  DEFAULT_MAX_TOKEN_BYTES,
  parseUcan,
  publicKeyFromDid,
  readKeyFile,
  verifyUcan,
  type KeyPair,
} from '@hecate-om/ucan';
import type { Problem } from '../hecate-command.js';
import { formatUnixSeconds } from '../token/human-time.js';

/** What `mesh call` calls with: the key that signs each invocation and the credential it rests on. */
export interface CallerIdentity {
  readonly key: KeyPair;
  readonly credential: string;
  /** `--realm-did`, or else the credential's issuer: the realm that granted it. */
  readonly realmDid: string;
}

export interface CallerIdentityFlags {
  readonly credential: string | undefined;
  readonly key: string | undefined;
  readonly realmDid: string | undefined;
  /** The capability about to be called: the credential must grant `mesh/call` on it. */
  readonly capability: string;
  /** Unix seconds. */
  readonly now: number;
}

export type CallerIdentityResult =
  | { readonly ok: true; readonly identity: CallerIdentity | undefined }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Where a running service keeps the pair it claimed, for the hints. */
const PERSISTED = '<HECATE_STATE_DIR>/identity/identity.key and credential.jwt';

/**
 * Reads `--credential` and `--key` and checks, before anything is sent, what every provider would
 * refuse: a key that is not the credential's audience, a credential not valid now, one that does
 * not grant `mesh/call` on `hecate://mesh/<capability>`, and with `--realm-did` one whose chain does
 * not verify to that realm. Each problem names its flag. Neither flag: no identity (undefined).
 */
export async function readCallerIdentity(flags: CallerIdentityFlags): Promise<CallerIdentityResult> {
  if (flags.credential === undefined && flags.key === undefined) return { ok: true, identity: undefined };
  if (flags.credential === undefined || flags.key === undefined) {
    const [given, missing] = flags.credential === undefined ? ['--key', '--credential'] : ['--credential', '--key'];
    return refused({ flag: missing, message: `is needed with ${given}: a call is signed by the key its credential is addressed to`, hint: `give both, as a service keeps them: ${PERSISTED}` });
  }
  const problems: Problem[] = [];
  if (flags.realmDid !== undefined) {
    const realm = publicKeyFromDid(flags.realmDid);
    if (!realm.ok) problems.push({ flag: '--realm-did', message: realm.message, hint: "give the realm's DID, did:key:z6Mk... (HECATE_REALM_DID)" });
  }
  const keyFile = resolve(flags.key);
  const key = await readKeyFile(keyFile);
  if (!key.ok) problems.push({ flag: '--key', message: key.error.message, hint: 'a PKCS#8 PEM Ed25519 key, as `hecate-om keygen --out` writes it' });
  const credentialFile = resolve(flags.credential);
  const token = await readCredentialFile(credentialFile);
  if (!token.ok) problems.push({ flag: '--credential', message: token.message });
  if (problems.length > 0 || !key.ok || !token.ok) return { ok: false, problems };
  const parsed = parseUcan(token.text);
  if (!parsed.ok) return refused({ flag: '--credential', message: `${credentialFile} is not a UCAN: ${parsed.errors.map((error) => error.message).join('; ')}` });
  const { cid, payload } = parsed.ucan;
  const credential = `the credential ${cid} (${credentialFile})`;
  if (payload.aud !== key.keyPair.did)
    problems.push({
      flag: '--key',
      message: `${keyFile} is the key of ${key.keyPair.did}, but ${credential} is addressed to ${payload.aud}`,
      hint: `give the key the credential was granted to; a service keeps its pair in ${PERSISTED}`,
    });
  if (payload.exp !== null && payload.exp <= flags.now)
    problems.push({ flag: '--credential', message: `${credential} expired at ${formatUnixSeconds(payload.exp)}`, hint: 'use the one the realm granted last' });
  else if (payload.nbf !== undefined && payload.nbf > flags.now)
    problems.push({ flag: '--credential', message: `${credential} is not valid before ${formatUnixSeconds(payload.nbf)}` });
  const wanted = { resource: meshResource(flags.capability), ability: MESH_CALL_ABILITY, caveat: {} };
  const held = capabilityList(payload.cap);
  if (!capabilitiesCover(held, wanted)) {
    const calls = held.filter((capability) => capabilitiesCover([{ resource: meshResource('*'), ability: MESH_CALL_ABILITY, caveat: {} }], capability)).map((capability) => capability.resource);
    problems.push({
      flag: '--credential',
      message: `${credential} does not grant ${MESH_CALL_ABILITY} on ${wanted.resource}; it grants it on ${calls.length === 0 ? 'nothing' : calls.join(', ')}`,
      hint: "the realm grants mesh/call for the capabilities its policy's mesh list names for the service",
    });
  }
  if (flags.realmDid !== undefined && problems.length === 0) {
    const verified = await verifyUcan(token.text, { rootIssuers: [{ did: flags.realmDid, resources: ['hecate://*'] }], audience: key.keyPair.did, now: flags.now });
    if (!verified.ok)
      problems.push({ flag: '--credential', message: `${credential} does not verify to the realm ${flags.realmDid}: ${verified.errors.map((error) => error.message).join('; ')}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, identity: { key: key.keyPair, credential: token.text, realmDid: flags.realmDid ?? payload.iss } };
}

/** Past a token's limit it is not a credential to read whole. */
const MAX_CREDENTIAL_FILE_BYTES = DEFAULT_MAX_TOKEN_BYTES + 1024;

async function readCredentialFile(file: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_CREDENTIAL_FILE_BYTES) return { ok: false, message: `${file} is ${size} bytes: a UCAN is at most ${DEFAULT_MAX_TOKEN_BYTES}` };
      const text = (await readFile(handle, 'utf8')).trim();
      return text === '' ? { ok: false, message: `${file} is empty: it should hold the credential, a JWT` } : { ok: true, text };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { ok: false, message: `cannot read ${file}: ${(error as Error).message}` };
  }
}

function refused(problem: Problem): CallerIdentityResult {
  return { ok: false, problems: [problem] };
}
