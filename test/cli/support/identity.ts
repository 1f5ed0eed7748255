import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, writeKeyFile, type KeyPair } from '@hecate-om/ucan';
import { cliBin, type CliResult } from './cli.js';

/** The environment a user's shell would give: no colour forced by the test runner. */
function plainEnvironment(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...env } = process.env;
  return env;
}

/** Runs `hecate-om <args>` with `input` on its stdin, as `echo $TOKEN | hecate-om ...` would. */
export function runCliWithInput(args: readonly string[], options: { cwd: string; input: string | Buffer }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: options.cwd, env: plainEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The command may stop reading once it has seen too much: a closed pipe is its answer, not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

export interface DevRealm {
  readonly child: ChildProcess;
  /** From the realm's "realm listening" log line. */
  readonly url: string;
  readonly did: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with how the process ended and all it printed. */
  stop(signal: NodeJS.Signals): Promise<CliResult & { readonly signal: NodeJS.Signals | null }>;
}

/** Starts `hecate-om realm dev <args>` and waits (at most `timeoutMs`) until its log says it listens. */
export function startDevRealm(args: readonly string[], cwd: string, timeoutMs = 30_000): Promise<DevRealm> {
  const child = spawn(process.execPath, [cliBin, 'realm', 'dev', ...args], { cwd, env: plainEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`realm dev did not listen within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    void ended.then(({ status }) => {
      clearTimeout(timer);
      reject(new Error(`realm dev exited (${status}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
    const onData = (): void => {
      const line = stdout.split('\n').find((text) => text.includes('"message":"realm listening"'));
      if (line === undefined) return;
      child.stdout.off('data', onData);
      clearTimeout(timer);
      const { url, did } = JSON.parse(line) as { url: string; did: string };
      resolve({
        child,
        url,
        did,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async (signal) => {
          child.kill(signal);
          const { status, signal: endedBy } = await ended;
          return { status, signal: endedBy, stdout, stderr };
        },
      });
    };
    child.stdout.on('data', onData);
  });
}

/** A realm's data directory as a realm leaves it on first start: a 0700 directory holding its 0600 key. */
export async function realmDataDir(): Promise<{ dir: string; realm: KeyPair; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-cli-realm-'));
  const realm = generateKeyPair();
  const written = await writeKeyFile(join(dir, 'realm.key'), realm);
  if (!written.ok) throw new Error(written.error.message);
  return { dir, realm, remove: () => rm(dir, { recursive: true, force: true }) };
}
