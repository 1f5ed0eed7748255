import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRealm, type PolicyInput } from '@hecate-om/realm';
import { afterEach } from 'vitest';
import { httpGet, type HttpAnswer } from './fixture-release.mjs';

/**
 * What the runtime fixture asks for (its identitySpec()), granted for `maxLifetimeSeconds`: under a
 * minute only a development realm grants, which lets a renewal, and a realm down across an expiry,
 * play out in seconds.
 */
export function fixturePolicy(maxLifetimeSeconds: number): PolicyInput {
  return {
    name: 'test-realm',
    services: { 'runtime-fixture': { grants: { 'hecate://fixture/*': ['fixture/answer'] }, maxLifetimeSeconds, enroll: { joinTokens: true } } },
  };
}

/** The fixture's policy at the shortest lifetime a realm out of development mode grants. */
export const FIXTURE_POLICY: PolicyInput = fixturePolicy(60);

export interface TestRealm {
  readonly url: string;
  readonly did: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];

/** Closes every realm and removes every directory a test made, when it ends. */
export function useIdentityCleanup(): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
}

export async function temporaryDirectory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hecate-${prefix}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestRealmOptions {
  readonly policy?: PolicyInput;
  readonly port?: number;
  readonly dataDir?: string;
  /** A development realm (its banner kept quiet): it enrolls any instance, and allows lifetimes of seconds. */
  readonly dev?: boolean;
}

/** A real realm on loopback (the @hecate-om/realm server), with its own data directory unless given one. */
export async function startTestRealm(options: TestRealmOptions = {}): Promise<TestRealm> {
  const dataDir = options.dataDir ?? (await temporaryDirectory('realm'));
  const started = await startRealm({
    dataDir,
    policy: options.policy ?? FIXTURE_POLICY,
    port: options.port ?? 0,
    dev: options.dev ?? false,
    log: () => {},
    banner: () => {},
  });
  if (!started.ok) throw new Error(started.error.message);
  const { url, did, close } = started.value;
  let closed = false;
  const closeOnce = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(closeOnce);
  return { url, did, dataDir, close: closeOnce };
}


/**
 * The secrets and state directories of one instance, both existing as their mounts would (the
 * runtime refuses a set HECATE_STATE_DIR that does not exist): secrets 0700.
 */
export async function instanceDirectories(): Promise<{ secretsDir: string; stateDir: string }> {
  const root = await temporaryDirectory('instance');
  const secretsDir = join(root, 'secrets');
  const stateDir = join(root, 'state');
  await mkdir(secretsDir, { mode: 0o700 });
  await chmod(secretsDir, 0o700);
  await mkdir(stateDir, { mode: 0o700 });
  return { secretsDir, stateDir };
}

/** The payload of a JWT, decoded without checking anything (the service checked it). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** `/health`'s identity check as `[status, output]`. */
export async function identityCheck(port: number): Promise<{ health: HttpAnswer; status: unknown; output: unknown }> {
  const health = await httpGet(port, '/health');
  const check = ((health.json?.checks as Record<string, { status: string; output?: string }[]> | undefined)?.identity ?? [])[0];
  return { health, status: check?.status, output: check?.output };
}

/** Polls `probe` until it returns true, every 100 ms, for at most `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
