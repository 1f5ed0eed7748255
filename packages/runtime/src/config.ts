import type { Manifest, RuntimeConfig } from '@hecate-om/contract';
import {
  RUNTIME_SETTING_NAMES,
  RUNTIME_SETTINGS,
  RUNTIME_VARIABLES,
  withoutUrlCredentials,
  type RuntimeSetting,
  type RuntimeVariable,
} from '@hecate-om/contract/rules';

export type { RuntimeVariable } from '@hecate-om/contract/rules';
export {
  DEFAULT_HEALTH_HOST,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_TIMER_MS,
  RUNTIME_VARIABLES,
} from '@hecate-om/contract/rules';

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
  return `${problem.variable} is ${JSON.stringify(withoutUrlCredentials(problem.value))}: ${problem.message}`;
}

/**
 * Reads the runtime's settings (RUNTIME_SETTINGS, in @hecate-om/contract/rules) from the
 * environment, with defaults from the manifest, and refuses every setting that would leave the
 * service running but unreachable or half-configured.
 */
export function resolveConfig(env: Environment, manifest: Manifest): ResolveConfigResult {
  const problems: ConfigProblem[] = [];
  const read = <Value>(setting: RuntimeSetting<Value>): Value => {
    const text = env[setting.variable];
    if (text === undefined) return setting.default(manifest);
    const value = setting.parse(text);
    if (value !== undefined) return value;
    problems.push({ variable: setting.variable as RuntimeVariable, value: text, message: setting.problem });
    return setting.default(manifest);
  };
  const config = Object.fromEntries(
    RUNTIME_SETTING_NAMES.map((name) => [name, read<unknown>(RUNTIME_SETTINGS[name] as RuntimeSetting<unknown>)]),
  ) as unknown as RuntimeConfig;

  const timeoutsValid = !problems.some((problem) => problem.variable.endsWith('_TIMEOUT_MS'));
  if (timeoutsValid && config.shutdownTimeoutMs < config.healthTimeoutMs) problems.push(drainProblem(env, config));

  const realmUrlText = env[RUNTIME_SETTINGS.realmUrl.variable];
  if (config.realmUrl !== null && config.realmDid === null && realmUrlText !== undefined) problems.push(unpinnedRealmProblem(realmUrlText));
  const requiredText = env[RUNTIME_SETTINGS.identityRequired.variable];
  if (config.identityRequired === 'true' && config.realmDid === null && requiredText !== undefined) problems.push(identityWithoutRealmProblem(requiredText));
  if (config.meshAuthorization === 'off' && config.realmDid !== null) problems.push(authorizationOffWithRealmProblem());

  if (problems.length > 0) return { ok: false, problems };
  const known = new Set<string>(RUNTIME_VARIABLES);
  const unknownVariables = Object.keys(env)
    .filter((name) => name.startsWith('HECATE_') && !known.has(name))
    .sort();
  return { ok: true, value: config, unknownVariables };
}

/** The drain waits for a health() call in flight, so the shutdown deadline must leave room for one. */
function drainProblem(env: Environment, { healthTimeoutMs, shutdownTimeoutMs }: RuntimeConfig): ConfigProblem {
  const reason = 'the drain waits for a health() call in flight';
  const shutdown = RUNTIME_SETTINGS.shutdownTimeoutMs.variable;
  const health = RUNTIME_SETTINGS.healthTimeoutMs.variable;
  const explicit = env[shutdown];
  return explicit === undefined
    ? { variable: health, value: String(healthTimeoutMs), message: `must not exceed ${shutdown} (default ${shutdownTimeoutMs}): ${reason}` }
    : { variable: shutdown, value: explicit, message: `must be at least ${health} (${healthTimeoutMs}): ${reason}` };
}

function identityWithoutRealmProblem(text: string): ConfigProblem {
  return {
    variable: RUNTIME_SETTINGS.identityRequired.variable,
    value: text,
    message: `needs a realm (${RUNTIME_SETTINGS.realmDid.variable}, and ${RUNTIME_SETTINGS.realmUrl.variable} to claim): with none, no credential could ever make this service ready`,
  };
}

/** A service under a realm is reachable by every service of it: its calls are never left open. */
function authorizationOffWithRealmProblem(): ConfigProblem {
  return {
    variable: RUNTIME_SETTINGS.meshAuthorization.variable,
    value: 'off',
    message: `is refused while a realm is configured (${RUNTIME_SETTINGS.realmDid.variable}): calls are authorized as in production with any realm, the development one included; off is for local experiments without one`,
  };
}

/** Trust is never taken from the network on first use: the realm's DID is pinned by the operator. */
function unpinnedRealmProblem(realmUrl: string): ConfigProblem {
  const did = RUNTIME_SETTINGS.realmDid.variable;
  return {
    variable: RUNTIME_SETTINGS.realmUrl.variable,
    value: realmUrl,
    message: `needs ${did}, the realm's DID pinned out of band: a credential is never trusted from whoever answers at the URL`,
  };
}
