import { isIP } from 'node:net';
import { ABSOLUTE_PATH_PROBLEM, isAbsolutePath } from './absolute-path.js';
import { PORT_MAX } from './ports.js';
import type { Manifest } from './schemas.js';
import type { IdentityRequired, LogLevel, MeshAuthorization, RuntimeConfig } from './service.js';

/** Where a renderer writes the runtime's settings, and the manifest values they may embed. */
export interface SettingTarget {
  /** `image`: the Containerfile's `ENV`; `unit`: the Quadlet unit's `Environment=`. */
  readonly kind: 'image' | 'unit';
  readonly healthPort: number;
  readonly secretsDir: string;
  readonly stateDir: string;
}

/**
 * One `HECATE_*` environment variable of the runtime: everything the runtime, the renderers and the
 * documentation need to know about it, so that adding a setting is one entry in RUNTIME_SETTINGS.
 */
export interface RuntimeSetting<Value> {
  readonly variable: `HECATE_${string}`;
  /** The value when the variable is unset: a constant, or a field of the embedded manifest. */
  readonly default: (manifest: Pick<Manifest, 'health' | 'paths'>) => Value;
  /** The value the variable's text stands for, or undefined when it is refused. */
  readonly parse: (text: string) => Value | undefined;
  /** What a refused value must be instead: `HECATE_X is "<text>": <problem>`. */
  readonly problem: string;
  /** The meaning column of the runtime README's environment table, word for word. */
  readonly doc: string;
  /** The value the Containerfile and the Quadlet unit set, so an operator sees every setting. */
  readonly deployed: (target: SettingTarget) => string;
  /**
   * For a directory the runtime uses, what it needs of it, checked at boot: `read` (list and read
   * files) or `read-write` (also create them), and why, for the message. `identityOnly`: only the
   * identity part reads it, so without a realm configured a set path it cannot use is a warning,
   * not a refusal.
   */
  readonly directory?: { readonly access: 'read' | 'read-write'; readonly why: string; readonly identityOnly?: true };
}

export const IDENTITY_REQUIRED_VALUES = ['auto', 'true', 'false'] as const satisfies readonly IdentityRequired[];
export const MESH_AUTHORIZATION_VALUES = ['on', 'off'] as const satisfies readonly MeshAuthorization[];

/**
 * Where the identity part finds what an operator mounts in the secrets directory, and keeps what it
 * must remember in the state directory (`<stateDir>/identity/`, 0700). Names, not settings: the
 * directories are the settings.
 */
export const IDENTITY_FILES = {
  /** An Ed25519 key (PKCS#8 PEM) provisioned out of band; used instead of the state directory's. */
  secretKey: 'identity.key',
  /** Static mode: a credential (UCAN JWT) provisioned out of band. */
  secretCredential: 'credential.jwt',
  /** Claim mode: the one-time join token, read on first enrollment only. */
  joinToken: 'join-token',
  /** Under the state directory: the key created on first boot, the last credential granted, and the realm's last revocation list. */
  stateDirectory: 'identity',
  stateKey: 'identity.key',
  stateCredential: 'credential.jwt',
  stateRevocations: 'revocations.json',
} as const;

/**
 * What the mesh part reads from the secrets directory when the NATS servers ask for credentials;
 * neither present: it connects without.
 */
export const MESH_FILES = {
  /** A NATS credentials file: a user JWT and its nkey seed, as `nsc` writes it. Used when present. */
  credentials: 'nats.creds',
  /** An nkey seed alone (`SU...`), for servers that list their users by nkey. */
  nkeySeed: 'nats.nk',
} as const;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];

/** setTimeout turns a larger delay into 1 ms, which would make a deadline fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DEFAULT_HEALTH_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;
/**
 * A revocation reaches a running provider within about this (plus the jitter): short enough that
 * `hecate-om realm revoke` cuts a caller off within a minute, long enough that a thousand instances
 * cost their realm some 33 small GETs a second.
 */
export const DEFAULT_REVOCATION_REFRESH_MS = 30_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** `--healthcheck` may wait for the first health() answer: it gives up this long after the health timeout. */
export const HEALTHCHECK_MARGIN_MS = 1000;

/**
 * `docker stop` and `podman stop` wait 10 s before SIGKILL, so an image's own drain deadline ends
 * well inside that; the Quadlet unit raises the engine's wait and keeps the runtime's default.
 */
export const CONTAINER_STOP_GRACE_MS = 10_000;
const IMAGE_SHUTDOWN_TIMEOUT_MS = CONTAINER_STOP_GRACE_MS - 2_000;

const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const TIMEOUT_PROBLEM = `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`;

/**
 * A name whose last label is a number (`0`, `127.1`, `0x7f000001`) is not a host name: the resolver
 * reads it as an abbreviated IPv4 address, so `0` would bind every interface (the WHATWG URL host
 * parser's "ends in a number" rule; RFC 3696 §2 keeps top-level labels from being all-numeric).
 */
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i;

function parseHost(text: string): string | undefined {
  if (isIP(text) !== 0) return text;
  return HOSTNAME_PATTERN.test(text) && !NUMERIC_LAST_LABEL.test(text) ? text : undefined;
}

/** 0 asks the system for a free port: useful in tests, logged because nobody else can know it. */
function parseListenPort(text: string): number | undefined {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  return port >= 0 && port <= PORT_MAX ? port : undefined;
}

function parseAbsolutePath(text: string): string | undefined {
  return isAbsolutePath(text) ? text : undefined;
}

function parseLogLevel(text: string): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(text) ? (text as LogLevel) : undefined;
}

/** Empty means unset: the Containerfile and the unit write every setting, and an operator fills in these. */
function parseRealmUrl(text: string): string | null | undefined {
  if (text === '') return null;
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.search === '' && url.hash === ''
    ? url.href.replace(/\/$/, '')
    : undefined;
}

/** The shape of an Ed25519 did:key (`z` + base58btc of 34 bytes); the identity part checks the key itself. */
const DID_KEY_PATTERN = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{40,50}$/;

function parseRealmDid(text: string): string | null | undefined {
  if (text === '') return null;
  return DID_KEY_PATTERN.test(text) ? text : undefined;
}

function parseIdentityRequired(text: string): IdentityRequired | undefined {
  return (IDENTITY_REQUIRED_VALUES as readonly string[]).includes(text) ? (text as IdentityRequired) : undefined;
}

const MESH_URL_PATTERN = /^nats:\/\/[^\s,/@]+:\d{1,5}$/;

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@,]*@/gi;

/**
 * `text` with the credentials of every URL in it (a token, or user:password, before an `@`)
 * replaced by `***`: a refused setting is quoted in the log, and a secret must not be.
 */
export function withoutUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/** Comma-separated `nats://host:port` URLs; empty means standalone. */
function parseMeshUrls(text: string): readonly string[] | undefined {
  if (text.trim() === '') return [];
  const urls = text.split(',').map((url) => url.trim());
  return urls.every((url) => MESH_URL_PATTERN.test(url)) ? urls : undefined;
}

function parseMilliseconds(text: string): number | undefined {
  const ms = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return ms >= 1 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/**
 * Every setting of the runtime, in the order it reads and reports them. The runtime's config, its
 * list of known variables, the renderers' environment and the README's table derive from this.
 */
export const RUNTIME_SETTINGS = {
  healthHost: {
    variable: 'HECATE_HEALTH_HOST',
    default: () => DEFAULT_HEALTH_HOST,
    parse: parseHost,
    problem: 'must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name whose last label is not a number (0 or 127.1 would be read as an abbreviated IPv4 address); unset it for 127.0.0.1',
    doc: 'address the health endpoint listens on: an IPv4 or IPv6 address or a host name',
    // The container engine publishes the port only when the endpoint listens on every interface.
    deployed: () => '0.0.0.0',
  },
  healthPort: {
    variable: 'HECATE_HEALTH_PORT',
    default: (manifest) => manifest.health.port,
    parse: parseListenPort,
    problem: `must be a whole number from 1 to ${PORT_MAX}, or 0 to pick a free port`,
    doc: `its port, 1 to ${PORT_MAX}; \`0\` picks a free port and logs it at \`warn\` (\`--healthcheck\` cannot probe it)`,
    deployed: (target) => String(target.healthPort),
  },
  secretsDir: {
    variable: 'HECATE_SECRETS_DIR',
    default: (manifest) => manifest.paths.secrets,
    parse: parseAbsolutePath,
    problem: ABSOLUTE_PATH_PROBLEM,
    doc: 'where the realm-granted credentials are mounted; an absolute path of letters, digits, `.`, `_` and `-`',
    deployed: (target) => target.secretsDir,
    directory: { access: 'read', why: 'the realm-granted credentials are read from there', identityOnly: true },
  },
  stateDir: {
    variable: 'HECATE_STATE_DIR',
    default: (manifest) => manifest.paths.state,
    parse: parseAbsolutePath,
    problem: ABSOLUTE_PATH_PROBLEM,
    doc: 'where the service keeps what it must remember; an absolute path likewise',
    deployed: (target) => target.stateDir,
    directory: { access: 'read-write', why: 'the service keeps what it must remember there' },
  },
  logLevel: {
    variable: 'HECATE_LOG_LEVEL',
    default: () => DEFAULT_LOG_LEVEL,
    parse: parseLogLevel,
    problem: `must be one of ${LOG_LEVELS.join(', ')}`,
    doc: '`debug`, `info`, `warn`, `error` or `silent`',
    // The default (warn) is for development: a deployed service logs that it is ready and why it stops.
    deployed: () => 'info',
  },
  healthTimeoutMs: {
    variable: 'HECATE_HEALTH_TIMEOUT_MS',
    default: () => DEFAULT_HEALTH_TIMEOUT_MS,
    parse: parseMilliseconds,
    problem: TIMEOUT_PROBLEM,
    doc: 'how long `health()` may take before it counts as `down`',
    deployed: () => String(DEFAULT_HEALTH_TIMEOUT_MS),
  },
  shutdownTimeoutMs: {
    variable: 'HECATE_SHUTDOWN_TIMEOUT_MS',
    default: () => DEFAULT_SHUTDOWN_TIMEOUT_MS,
    parse: parseMilliseconds,
    problem: TIMEOUT_PROBLEM,
    doc: "deadline for the whole shutdown; at least `HECATE_HEALTH_TIMEOUT_MS`, since the drain waits for a `health()` call in flight. The Quadlet unit's `TimeoutStopSec` must exceed it",
    deployed: (target) => String(target.kind === 'image' ? IMAGE_SHUTDOWN_TIMEOUT_MS : DEFAULT_SHUTDOWN_TIMEOUT_MS),
  },
  realmUrl: {
    variable: 'HECATE_REALM_URL',
    default: () => null,
    parse: parseRealmUrl,
    problem: 'must be an http:// or https:// URL with no credentials, query or fragment (https://realm.example.com), or empty for no realm',
    doc: `the realm this service claims its credential from (claim mode); needs \`HECATE_REALM_DID\`. On first enrollment the join token is read from \`<HECATE_SECRETS_DIR>/${IDENTITY_FILES.joinToken}\`. Empty: no claim`,
    deployed: () => '',
  },
  realmDid: {
    variable: 'HECATE_REALM_DID',
    default: () => null,
    parse: parseRealmDid,
    problem: "must be the realm's Ed25519 did:key (did:key:z6Mk…, as the realm's GET /api/v1/realm shows it), or empty for no realm",
    doc: `the realm's DID, pinned: the only issuer this service's credential is accepted from. Alone (no URL), static mode: the credential is read from \`<HECATE_SECRETS_DIR>/${IDENTITY_FILES.secretCredential}\``,
    deployed: () => '',
  },
  identityRequired: {
    variable: 'HECATE_IDENTITY_REQUIRED',
    default: () => 'auto',
    parse: parseIdentityRequired,
    problem: `must be one of ${IDENTITY_REQUIRED_VALUES.join(', ')}`,
    doc: '`true`: not ready without a valid credential; `false`: the `identity` check only degrades `/health`; `auto`: `true` whenever a realm is configured',
    deployed: () => 'auto',
  },
  revocationRefreshMs: {
    variable: 'HECATE_REVOCATION_REFRESH_MS',
    default: () => DEFAULT_REVOCATION_REFRESH_MS,
    parse: parseMilliseconds,
    problem: TIMEOUT_PROBLEM,
    doc: `claim mode: how often the realm's revocation list is fetched, ±25 % jitter; a revoked caller is refused, and a revoked instance claims again, within about this long. The last list is kept in \`<HECATE_STATE_DIR>/${IDENTITY_FILES.stateDirectory}/${IDENTITY_FILES.stateRevocations}\` for a restart while the realm is away`,
    deployed: () => String(DEFAULT_REVOCATION_REFRESH_MS),
  },
  meshUrls: {
    variable: 'HECATE_MESH_URL',
    default: () => [],
    parse: parseMeshUrls,
    problem: `must be one or more nats://host:port URLs separated by commas, without credentials (those go in <HECATE_SECRETS_DIR>/${MESH_FILES.credentials} or ${MESH_FILES.nkeySeed}), or empty for a standalone service`,
    doc: `the NATS servers of the mesh, \`nats://host:port\`, comma-separated; unset or empty: standalone (no advertisement, no \`mesh\` check). Credentials, where NATS needs them: \`<HECATE_SECRETS_DIR>/${MESH_FILES.credentials}\` or \`${MESH_FILES.nkeySeed}\``,
    // Deployed standalone: the operator points the service at the mesh where it runs.
    deployed: () => '',
  },
  meshAuthorization: {
    variable: 'HECATE_MESH_AUTHORIZATION',
    default: () => 'on',
    parse: (text) => ((MESH_AUTHORIZATION_VALUES as readonly string[]).includes(text) ? (text as MeshAuthorization) : undefined),
    problem: `must be one of ${MESH_AUTHORIZATION_VALUES.join(', ')}`,
    doc: '`on`: every mesh call carries an invocation token its provider verifies (chain to the realm, audience, grant, freshness, replay, revocation); `off`: none, for local experiments only, refused whenever a realm is configured and shouted in the log',
    deployed: () => 'on',
  },
} as const satisfies { readonly [K in keyof RuntimeConfig]: RuntimeSetting<RuntimeConfig[K]> };

export type RuntimeSettingName = keyof typeof RUNTIME_SETTINGS;
export type RuntimeVariable = (typeof RUNTIME_SETTINGS)[RuntimeSettingName]['variable'];

/** The settings' names in reading order. */
export const RUNTIME_SETTING_NAMES = /* @__PURE__ */ Object.keys(RUNTIME_SETTINGS) as readonly RuntimeSettingName[];

/** Every variable the runtime reads, so that a misspelt one can be reported instead of ignored. */
export const RUNTIME_VARIABLES: readonly RuntimeVariable[] = /* @__PURE__ */ RUNTIME_SETTING_NAMES.map((name) => RUNTIME_SETTINGS[name].variable);

/** `[variable, value]` for every setting, as the Containerfile and the Quadlet unit write them. */
export function deployedEnvironment(target: SettingTarget): ReadonlyArray<readonly [variable: RuntimeVariable, value: string]> {
  return RUNTIME_SETTING_NAMES.map((name) => [RUNTIME_SETTINGS[name].variable, RUNTIME_SETTINGS[name].deployed(target)] as const);
}
