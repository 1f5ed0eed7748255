import { isIP } from 'node:net';
import type { LogLevel, Manifest, RuntimeConfig } from '@hecate-om/contract';

/** Every variable the runtime reads, so that a misspelt one can be reported instead of ignored. */
export const RUNTIME_VARIABLES = [
  'HECATE_HEALTH_HOST',
  'HECATE_HEALTH_PORT',
  'HECATE_SECRETS_DIR',
  'HECATE_STATE_DIR',
  'HECATE_LOG_LEVEL',
  'HECATE_HEALTH_TIMEOUT_MS',
  'HECATE_SHUTDOWN_TIMEOUT_MS',
] as const;

export type RuntimeVariable = (typeof RUNTIME_VARIABLES)[number];

export const DEFAULT_HEALTH_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
/** setTimeout turns a larger delay into 1 ms, which would make a deadline fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export interface ConfigProblem {
  readonly variable: RuntimeVariable;
  /** The value as found in the environment. */
  readonly value: string;
  readonly message: string;
}

export type ResolveConfigResult =
  | { readonly ok: true; readonly value: RuntimeConfig; readonly unknownVariables: readonly string[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export type Environment = Readonly<Record<string, string | undefined>>;

/** `HECATE_HEALTH_PORT is "http": must be ...`, the form every config error is shown in. */
export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.variable} is ${JSON.stringify(problem.value)}: ${problem.message}`;
}

/**
 * Reads the runtime's settings from the environment, with defaults from the manifest, and refuses
 * every setting that would leave the service running but unreachable or half-configured.
 */
export function resolveConfig(env: Environment, manifest: Manifest): ResolveConfigResult {
  const problems: ConfigProblem[] = [];
  const readNumber = (variable: RuntimeVariable, fallback: number, parse: (value: string) => number | string): number => {
    const value = env[variable];
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (typeof parsed === 'number') return parsed;
    problems.push({ variable, value, message: parsed });
    return fallback;
  };
  const readText = (variable: RuntimeVariable, fallback: string, check: (value: string) => string | undefined): string => {
    const value = env[variable];
    if (value === undefined) return fallback;
    const problem = check(value);
    if (problem === undefined) return value;
    problems.push({ variable, value, message: problem });
    return fallback;
  };

  const healthHost = readText('HECATE_HEALTH_HOST', DEFAULT_HEALTH_HOST, checkHost);
  const healthPort = readNumber('HECATE_HEALTH_PORT', manifest.health.port, parsePort);
  const secretsDir = readText('HECATE_SECRETS_DIR', manifest.paths.secrets, checkAbsolutePath);
  const stateDir = readText('HECATE_STATE_DIR', manifest.paths.state, checkAbsolutePath);
  const logLevel = readText('HECATE_LOG_LEVEL', DEFAULT_LOG_LEVEL, checkLogLevel) as LogLevel;
  const healthTimeoutMs = readNumber('HECATE_HEALTH_TIMEOUT_MS', DEFAULT_HEALTH_TIMEOUT_MS, parseMilliseconds);
  const shutdownTimeoutMs = readNumber('HECATE_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, parseMilliseconds);

  const timeoutsValid = !problems.some((problem) => problem.variable.endsWith('_TIMEOUT_MS'));
  if (timeoutsValid && shutdownTimeoutMs < healthTimeoutMs) {
    const reason = 'the drain waits for a health() call in flight';
    problems.push(
      env.HECATE_SHUTDOWN_TIMEOUT_MS === undefined
        ? {
            variable: 'HECATE_HEALTH_TIMEOUT_MS',
            value: String(healthTimeoutMs),
            message: `must not exceed HECATE_SHUTDOWN_TIMEOUT_MS (default ${shutdownTimeoutMs}): ${reason}`,
          }
        : {
            variable: 'HECATE_SHUTDOWN_TIMEOUT_MS',
            value: env.HECATE_SHUTDOWN_TIMEOUT_MS,
            message: `must be at least HECATE_HEALTH_TIMEOUT_MS (${healthTimeoutMs}): ${reason}`,
          },
    );
  }

  if (problems.length > 0) return { ok: false, problems };
  const known = new Set<string>(RUNTIME_VARIABLES);
  const unknownVariables = Object.keys(env)
    .filter((name) => name.startsWith('HECATE_') && !known.has(name))
    .sort();
  return {
    ok: true,
    value: { healthHost, healthPort, secretsDir, stateDir, logLevel, healthTimeoutMs, shutdownTimeoutMs },
    unknownVariables,
  };
}

function checkHost(value: string): string | undefined {
  if (isIP(value) !== 0 || HOSTNAME_PATTERN.test(value)) return undefined;
  return 'must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name; unset it for 127.0.0.1';
}

function parsePort(value: string): number | string {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (port >= 0 && port <= 65_535) return port;
  return 'must be a whole number from 1 to 65535, or 0 to pick a free port';
}

function checkAbsolutePath(value: string): string | undefined {
  if (value.startsWith('/') && !value.includes('\0')) return undefined;
  return 'must be an absolute path: a relative one would depend on the working directory';
}

function checkLogLevel(value: string): string | undefined {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return undefined;
  return `must be one of ${LOG_LEVELS.join(', ')}`;
}

function parseMilliseconds(value: string): number | string {
  const ms = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (ms >= 1 && ms <= MAX_TIMER_MS) return ms;
  return `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`;
}
