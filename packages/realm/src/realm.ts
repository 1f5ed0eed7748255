import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { UCAN_VERSION, type KeyPair } from '@hecate-om/ucan';
import { checkDataDirectory } from './data-check.js';
import { DataDirectory } from './data-directory.js';
import { SERVER_TIMEOUTS, readJsonBody, sendJson, sendRefusal } from './http.js';
import { parsePolicy, readPolicyFile, type Policy, type PolicyInput, type PolicyProblem, type ServicePolicy } from './policy.js';
import { decideProvision } from './provision.js';
import { loadRealmKey } from './realm-key.js';
import { createRealmLog, type RealmLog } from './realm-log.js';
import { refusal } from './refusals.js';
import { ReplayCache } from './replay-cache.js';
import { listRevocations } from './revocations.js';

export interface RealmOptions {
  /** Where the realm keeps its key, enrollments, join tokens and revocations; created (0700) if missing. */
  readonly dataDir: string;
  /** The policy as an object, checked as a policy file would be. Give this or `policyFile`. */
  readonly policy?: PolicyInput;
  /** The policy file (JSON). Give this or `policy`; optional in development mode. */
  readonly policyFile?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** `0` picks a free port. @default 8471 */
  readonly port?: number;
  /**
   * Development mode: every instance is enrolled on its first claim, and a service the policy does
   * not name is granted what it asks for within `DEVELOPMENT_SERVICE_POLICY`. Never for production.
   * @default false
   */
  readonly dev?: boolean;
  /** Receives each log line (JSON, newline included). @default process.stdout.write */
  readonly log?: (line: string) => void;
  /** Receives the development mode's warning banner. @default process.stderr.write */
  readonly banner?: (text: string) => void;
}

export const REALM_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8471,
  dev: false,
  /** Provision UCANs live a minute: ten thousand claims a minute before the realm asks clients to wait. */
  replayCacheEntries: 10_000,
}) satisfies Partial<RealmOptions> & Record<string, unknown>;

/** The policy of a service the development realm's policy does not name: anything under hecate:// for a day at most. */
export const DEVELOPMENT_SERVICE_POLICY: ServicePolicy = Object.freeze({
  grants: { 'hecate://*': ['*'] },
  mesh: [],
  maxLifetimeSeconds: 86_400,
  enroll: { dids: [], joinTokens: true },
});
export const DEVELOPMENT_REALM_NAME = 'development';

/** Boxed so that it stands out among log lines: 80 columns, every line as wide. */
export const DEVELOPMENT_BANNER = /* @__PURE__ */ boxed([
  'DEVELOPMENT REALM: for development only, NEVER for production.',
  'It enrolls ANY instance on its first claim and grants what it asks for',
  '(within the development defaults). Anyone who can reach it gets a',
  'credential.',
]);

function boxed(lines: readonly string[], width = 80): string {
  const rule = '#'.repeat(width);
  return `\n${rule}\n${lines.map((line) => `#  ${line.padEnd(width - 6)}  #`).join('\n')}\n${rule}\n`;
}

export interface RunningRealm {
  /** `http://host:port`, the port actually bound. */
  readonly url: string;
  /** The realm's DID: the trust root services pin (HECATE_REALM_DID). */
  readonly did: string;
  readonly name: string;
  readonly dev: boolean;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

export interface RealmStartError {
  readonly code: 'INVALID_OPTIONS' | 'INVALID_POLICY' | 'DATA_DIRECTORY' | 'REALM_KEY' | 'LISTEN';
  readonly message: string;
  /** For INVALID_POLICY: every problem, with its JSON path. */
  readonly problems?: readonly PolicyProblem[];
}

export type StartRealmResult = { readonly ok: true; readonly value: RunningRealm } | { readonly ok: false; readonly error: RealmStartError };

const ROUTES = {
  '/api/v1/realm': 'GET, HEAD',
  '/api/v1/revocations': 'GET, HEAD',
  '/api/v1/services/provision': 'POST',
} as const;
type Route = keyof typeof ROUTES;

const PACKAGE_VERSION = /* @__PURE__ */ readPackageVersion();

function readPackageVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

/**
 * Starts a realm: checks the options and policy, prepares the data directory (creating the realm
 * key on first start), checks every record on file, and listens. Resolves with the running realm,
 * or with what stopped it (naming the file, JSON path or option).
 */
export async function startRealm(options: RealmOptions): Promise<StartRealmResult> {
  const dev = options.dev ?? REALM_DEFAULTS.dev;
  const policy = await resolvePolicy(options, dev);
  if (!policy.ok) return policy;
  const name = policy.value?.name ?? DEVELOPMENT_REALM_NAME;
  const directory = new DataDirectory(options.dataDir);
  const prepared = await directory.prepare();
  if (!prepared.ok) return failure('DATA_DIRECTORY', prepared.error.message);
  const key = await loadRealmKey(directory, { create: true });
  if (!key.ok) return failure('REALM_KEY', key.message);
  const checked = await checkDataDirectory(directory, key.keyPair.did);
  if (!checked.ok) return failure('DATA_DIRECTORY', checked.error.message);

  const log = createRealmLog(name, options.log ?? ((line) => void process.stdout.write(line)));
  const realm = new RealmApi({ key: key.keyPair, name, dev, policy: policy.value, directory, log });
  const server = createServer(SERVER_TIMEOUTS, (request, response) => realm.answer(request, response));
  const host = options.host ?? REALM_DEFAULTS.host;
  const listened = await listen(server, host, options.port ?? REALM_DEFAULTS.port);
  if (!listened.ok) return failure('LISTEN', `cannot listen on ${host}:${options.port ?? REALM_DEFAULTS.port}: ${listened.message}`);
  server.on('error', (error) => log.event('error', 'the realm server failed', { error: error.message }));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${listened.address.port}`;
  if (dev) {
    (options.banner ?? ((text) => void process.stderr.write(text)))(DEVELOPMENT_BANNER);
    log.event('warn', 'development realm: enrolls any instance on its first claim; never use it for production', { dev: true });
  }
  log.event('info', 'realm listening', { url, did: key.keyPair.did, dataDir: directory.root, keyCreated: key.created });
  return {
    ok: true,
    value: {
      url,
      did: key.keyPair.did,
      name,
      dev,
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    },
  };
}

async function resolvePolicy(options: RealmOptions, dev: boolean): Promise<{ ok: true; value: Policy | undefined } | { ok: false; error: RealmStartError }> {
  if (options.policy !== undefined && options.policyFile !== undefined)
    return failure('INVALID_OPTIONS', 'give the policy as an object (policy) or a file (policyFile), not both');
  const parsed =
    options.policyFile !== undefined
      ? await readPolicyFile(options.policyFile, { dev })
      : options.policy !== undefined
        ? parsePolicy(options.policy, { dev })
        : undefined;
  if (parsed === undefined)
    return dev ? { ok: true, value: undefined } : failure('INVALID_OPTIONS', 'a realm needs a policy (policy or policyFile); only the development mode runs without one');
  if (!parsed.ok) {
    const where = options.policyFile ?? 'the policy';
    return { ok: false, error: { code: 'INVALID_POLICY', message: `${where} has ${parsed.problems.length} problem(s)`, problems: parsed.problems } };
  }
  return { ok: true, value: parsed.value };
}

function failure(code: RealmStartError['code'], message: string): { ok: false; error: RealmStartError } {
  return { ok: false, error: { code, message } };
}

function listen(server: Server, host: string, port: number): Promise<{ ok: true; address: AddressInfo } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const onError = (error: Error): void => resolve({ ok: false, message: error.message });
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({ ok: true, address: server.address() as AddressInfo });
    });
  });
}

interface RealmState {
  readonly key: KeyPair;
  readonly name: string;
  readonly dev: boolean;
  readonly policy: Policy | undefined;
  readonly directory: DataDirectory;
  readonly log: RealmLog;
}

/** The three endpoints. Every request is answered, a failure of the realm's own included (500, logged). */
class RealmApi {
  readonly #state: RealmState;
  readonly #replays = new ReplayCache(REALM_DEFAULTS.replayCacheEntries);

  constructor(state: RealmState) {
    this.#state = state;
  }

  answer(request: IncomingMessage, response: ServerResponse): void {
    this.#route(request, response).catch((error: unknown) => {
      this.#state.log.event('error', 'the realm failed to answer a request', { url: request.url, error: String(error) });
      if (!response.headersSent) sendRefusal(request, response, refusal('INTERNAL_ERROR', 'the realm failed to answer; its log says why'));
      else response.destroy();
    });
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!Object.hasOwn(ROUTES, path))
      return sendRefusal(request, response, refusal('NOT_FOUND', `no endpoint ${path}: the endpoints are ${Object.keys(ROUTES).join(', ')}`));
    const route = path as Route;
    const allowed = ROUTES[route];
    if (!allowed.split(', ').includes(request.method ?? ''))
      return sendRefusal(request, response, refusal('METHOD_NOT_ALLOWED', `${path} takes ${allowed}, not ${request.method}`), { allow: allowed });
    switch (route) {
      case '/api/v1/realm':
        return sendJson(request, response, 200, this.#description());
      case '/api/v1/revocations':
        return this.#revocations(request, response);
      case '/api/v1/services/provision':
        return this.#provision(request, response);
    }
  }

  #description(): Record<string, unknown> {
    const { key, name, dev } = this.#state;
    return { did: key.did, name, dev, versions: { api: ['v1'], ucv: UCAN_VERSION, realm: PACKAGE_VERSION } };
  }

  async #revocations(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const listed = await listRevocations(this.#state.directory, this.#state.key.did);
    if (!listed.ok) {
      this.#state.log.event('error', 'cannot list the revocations', { file: listed.error.file, error: listed.error.message });
      return sendRefusal(request, response, refusal('INTERNAL_ERROR', 'the realm cannot read its revocations; its log names the file'));
    }
    sendJson(request, response, 200, { revocations: listed.value });
  }

  async #provision(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { key, policy, dev, directory, log } = this.#state;
    const body = await readJsonBody(request);
    const value = body.ok ? body.value : undefined;
    const shaped = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { ucan?: unknown }).ucan === 'string';
    if (!body.ok || !shaped) {
      const refused = body.ok ? refusal('MALFORMED_REQUEST', 'the body must be a JSON object with exactly one field, "ucan", holding the provision UCAN') : body.refusal;
      log.decision({ decision: 'refused', code: refused.code, why: refused.message });
      return sendRefusal(request, response, refused);
    }
    const decision = await decideProvision((value as { ucan: string }).ucan, {
      realm: key,
      policy,
      developmentPolicy: dev ? DEVELOPMENT_SERVICE_POLICY : undefined,
      directory,
      replays: this.#replays,
      now: Math.floor(Date.now() / 1000),
    });
    log.decision(decision.record);
    if (decision.ok) return sendJson(request, response, 200, decision.answer);
    const retry: Record<string, number> = decision.retryAfterSeconds === undefined ? {} : { 'retry-after': decision.retryAfterSeconds };
    // An internal failure's particulars (file names) go to the log, not to the client.
    const refused = decision.refusal.code === 'INTERNAL_ERROR' ? refusal('INTERNAL_ERROR', 'the realm could not decide the claim; its log says why') : decision.refusal;
    sendRefusal(request, response, refused, retry);
  }
}
