import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, issueUcan, type Capabilities, type Json, type KeyPair } from '@hecate-om/ucan';
import { startRealm, type PolicyInput, type RealmOptions, type RunningRealm } from '../src/index.js';

export const ECHO_CAP: Capabilities = {
  'hecate://echo/*': { 'echo/answer_query': [{}] },
};

export const CONTRACT_HASH = `sha256:${'ab'.repeat(32)}`;

/** A policy with one service enrolled by join token and one whose instance is listed by DID. */
export function echoPolicy(listed: KeyPair): PolicyInput {
  return {
    name: 'test-realm',
    services: {
      'hecate-echo': {
        grants: { 'hecate://echo/*': ['echo/answer_query', 'echo/read'] },
        mesh: ['billing.charge'],
        maxLifetimeSeconds: 3600,
        enroll: { joinTokens: true },
      },
      'hecate-listed': {
        grants: { 'hecate://listed/*': ['listed/*'] },
        maxLifetimeSeconds: 600,
        enroll: { dids: [listed.did] },
      },
    },
  };
}

export interface TestRealm {
  readonly realm: RunningRealm;
  readonly dataDir: string;
  /** Every log line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
  readonly banners: string[];
  stop(): Promise<void>;
}

/** A temporary data directory; removed by the caller (`removeDirectory`). */
export function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hecate-realm-'));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/** Starts a real realm on loopback, port 0, logging into `lines`. */
export async function startTestRealm(options: Partial<RealmOptions> & { dataDir?: string }): Promise<TestRealm> {
  const dataDir = options.dataDir ?? (await temporaryDirectory());
  const lines: Record<string, unknown>[] = [];
  const banners: string[] = [];
  const started = await startRealm({
    ...options,
    dataDir,
    port: 0,
    log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    banner: (text) => banners.push(text),
  });
  if (!started.ok) throw new Error(`the test realm did not start: ${JSON.stringify(started.error)}`);
  const realm = started.value;
  return {
    realm,
    dataDir,
    lines,
    banners,
    stop: async () => {
      await realm.close();
      if (options.dataDir === undefined) await removeDirectory(dataDir);
    },
  };
}

export interface ClaimOptions {
  readonly service?: string;
  readonly cap?: Capabilities;
  readonly lifetimeSeconds?: number;
  readonly joinToken?: string;
  /** Replaces the facts altogether. */
  readonly facts?: Record<string, Json>;
  readonly audience?: string;
  readonly nonce?: string | undefined;
  readonly expiration?: number | null;
  readonly notBefore?: number;
  readonly proofs?: readonly string[];
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** A provision UCAN as a service issues it: to the realm, for 30 s, with a fresh nonce. */
export function provisionToken(instance: KeyPair, realmDid: string, options: ClaimOptions = {}): string {
  const facts: Record<string, Json> = options.facts ?? {
    service: options.service ?? 'hecate-echo',
    version: '1.2.3',
    contractHash: CONTRACT_HASH,
    lifetimeSeconds: options.lifetimeSeconds ?? 1800,
    ...(options.joinToken === undefined ? {} : { joinToken: options.joinToken }),
  };
  return issueUcan({
    issuer: instance,
    audience: options.audience ?? realmDid,
    capabilities: options.cap ?? ECHO_CAP,
    expiration: options.expiration === undefined ? now() + 30 : options.expiration,
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    ...('nonce' in options ? (options.nonce === undefined ? {} : { nonce: options.nonce }) : { nonce: randomBytes(12).toString('base64url') }),
    facts,
    ...(options.proofs === undefined ? {} : { proofs: options.proofs }),
  }).token;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string; hint: string; details?: unknown[] } };
}

export async function post(realm: RunningRealm, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const response = await fetch(`${realm.url}/api/v1/services/provision`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

export async function get(realm: RunningRealm, path: string): Promise<Answer> {
  const response = await fetch(`${realm.url}${path}`);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

/** Claims a credential as `instance` would. */
export function claim(realm: RunningRealm, instance: KeyPair, options: ClaimOptions = {}): Promise<Answer> {
  return post(realm, JSON.stringify({ ucan: provisionToken(instance, realm.did, options) }));
}

export { generateKeyPair };
