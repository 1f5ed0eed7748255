import type { HealthStatus, HecateService, HecateServiceClass, Manifest, RuntimeConfig } from '@hecate-om/contract';
import { HEALTHCHECK_MARGIN_MS } from '@hecate-om/contract/rules';
import { formatConfigProblem, MAX_TIMER_MS, resolveConfig, type Environment, type ResolveConfigResult } from './config.js';
import { findContractDrift } from './contract-drift.js';
import { checkDirectories } from './directories.js';
import { debug } from './debug.js';
import { describeError } from './describe-error.js';
import { HealthEndpoint } from './health-endpoint.js';
import { HEALTH_CACHE_MS, HealthMonitor, type HealthObservation, systemClock, type Clock } from './health-monitor.js';
import { HEALTHCHECK_EXIT, probeHostFor, probeReadiness } from './healthcheck.js';
import { IdentityPart, identityModeOf } from './identity/identity-part.js';
import { nodeAbiMismatch } from './node-abi.js';
import { createLogger, type RuntimeLogger } from './logger.js';
import { createInvocationAuthorization } from './mesh/invocation-authorization.js';
import { createMeshParts } from './mesh/mesh-parts.js';
import { logRefusals } from './mesh/refusal-log.js';
import { checksOf, healthOf, readinessOf, type NamedCheck, type RuntimePart } from './runtime-part.js';
import { ServicePart } from './service-part.js';
import { ReadinessLog } from './readiness-log.js';
import { reportWhileSlow } from './slow-step.js';
import { trapShutdownSignals } from './shutdown.js';
import { Withdrawals } from './withdrawals.js';

/** A part's start still running after this long is said in the log, then each time the wait doubles. */
export const SLOW_START_REPORT_MS = 10_000;

/** Ends the process with a code; the one way boot() exits, so a test can pass its own. */
export type Exit = (code: number) => never;

export interface BootOptions {
  /** The manifest derived at build time; the generated entry passes it in. */
  readonly manifest: Manifest;
  /** @default process.env */
  readonly env?: Environment;
  /** The command line after `node main.js`. @default process.argv.slice(2) */
  readonly argv?: readonly string[];
  /** @default process.exit */
  readonly exit?: Exit;
}

/**
 * Runs a service: checks that the running code still matches the manifest built into the release,
 * starts the health endpoint, starts its parts (the service's `start()` among them), and shuts down
 * gracefully on SIGTERM or SIGINT. With `--healthcheck` it probes the running service's readiness
 * instead and exits 0, 1 or 2.
 */
export async function boot<State>(Service: HecateServiceClass<State>, options: BootOptions): Promise<void> {
  const { manifest } = options;
  const exit: Exit = options.exit ?? ((code) => process.exit(code));
  const env = options.env ?? process.env;
  const resolved = resolveConfig(env, manifest);
  if ((options.argv ?? process.argv.slice(2)).includes('--healthcheck')) return healthcheck(resolved, exit);
  if (!resolved.ok) {
    const log = createLogger({ level: 'silent', service: manifest, write: writeStdout });
    for (const problem of resolved.problems) log.fatal(`invalid configuration: ${formatConfigProblem(problem)}`, { variable: problem.variable });
    return exit(1);
  }
  const log = createLogger({ level: resolved.value.logLevel, service: manifest, write: writeStdout });
  exitOnUncaughtErrors(log, exit);
  const abiMismatch = nodeAbiMismatch(manifest.platform, process.versions);
  if (abiMismatch !== undefined) {
    log.fatal(`refusing to start: ${abiMismatch}`, { nodeAbi: manifest.platform?.nodeAbi, runningAbi: Number(process.versions.modules) });
    return exit(1);
  }
  for (const name of resolved.unknownVariables) log.warn(`${name} is not a setting of the hecate-om runtime and is ignored`, { variable: name });
  // A path the operator set and the runtime needs stops the boot; a default that is missing (a
  // release run outside its container), or secrets with no identity to read them, is only said.
  const directoryProblems = await checkDirectories(resolved.value, env, identityModeOf(resolved.value) !== undefined);
  for (const problem of directoryProblems) if (!problem.fatal) log.warn(problem.message, { variable: problem.variable });
  const refused = directoryProblems.filter((problem) => problem.fatal);
  for (const problem of refused) log.fatal(`invalid configuration: ${problem.message}`, { variable: problem.variable });
  if (refused.length > 0) return exit(1);

  const service = instantiate(Service, manifest, log, exit);
  const shutdownController = new AbortController();
  let config = resolved.value;
  const identityPart = identityPartFor(resolved.value, manifest, log);
  let checks: readonly NamedCheck[] = [];
  const readinessLog = new ReadinessLog(() => readinessOf(checks), log, systemClock, HEALTH_CACHE_MS);
  const meshParts = createMeshParts({
    urls: config.meshUrls,
    manifest,
    log,
    secretsDir: config.secretsDir,
    identity: () => ({ did: identityPart?.serviceIdentity().did ?? '', realm: config.realmDid ?? '' }),
    readiness: async () => {
      const readiness = await readinessOf(checks);
      readinessLog.observe(readiness);
      return readiness;
    },
    health: () => healthOf(checks),
    // Standalone, nothing is called or served: there is nothing to authorize, and nothing to say about it.
    ...(config.meshUrls.length === 0
      ? {}
      : {
          authorization: logRefusals(
            createInvocationAuthorization({ setting: config.meshAuthorization, identity: identityPart === undefined ? undefined : () => identityPart.meshIdentity(), log }),
            { log, now: () => systemClock.now() },
          ),
        }),
    clock: systemClock,
    random: Math.random,
  });
  // start() receives the port actually bound, known only after listen().
  const servicePart = new ServicePart(
    service,
    () => ({ config, log, manifest, signal: shutdownController.signal, mesh: meshParts.mesh, ...(identityPart === undefined ? {} : { identity: identityPart.serviceIdentity() }) }),
    new HealthMonitor({
      check: () => service.health(),
      timeoutMs: config.healthTimeoutMs,
      cacheMs: HEALTH_CACHE_MS,
      clock: systemClock,
      onChange: (observation, previous) => {
        logHealthChange(log, 'service', observation, previous);
        readinessLog.recheck();
      },
    }),
  );
  // Started in this order, stopped in reverse: the service after its identity and its mesh
  // connection (so start() and stop() can call the mesh), the advertisement once the service has
  // started (it is withdrawn first at shutdown, before the drain).
  const parts: readonly RuntimePart[] = [...(identityPart === undefined ? [] : [identityPart]), meshParts.connection, servicePart, meshParts.advertisement];
  checks = checksOf(parts);
  const endpoint = new HealthEndpoint(manifest, checks, (error) => log.error(`the health endpoint failed: ${describeError(error)}`, { error }));
  try {
    config = await listen(endpoint, resolved.value, log);
  } catch (error) {
    const { healthHost, healthPort } = resolved.value;
    log.fatal(`the health endpoint cannot listen on ${healthHost}:${healthPort} (HECATE_HEALTH_HOST, HECATE_HEALTH_PORT): ${describeError(error)}`, { error });
    return exit(1);
  }
  await run({ parts, servicePart, shutdownController, config, endpoint, log, readinessLog, exit });
}

async function healthcheck(resolved: ResolveConfigResult, exit: Exit): Promise<never> {
  if (!resolved.ok) return exitWith(exit, HEALTHCHECK_EXIT.unreachable, resolved.problems.map(formatConfigProblem).join('\n'));
  const { healthHost, healthPort, healthTimeoutMs } = resolved.value;
  if (healthPort === 0)
    return exitWith(exit, HEALTHCHECK_EXIT.unreachable, 'unreachable: HECATE_HEALTH_PORT is 0, so the port was picked at boot and cannot be probed');
  // Past the largest timer a deadline would fire at once: the margin must not push the longest timeout over it.
  const deadlineMs = Math.min(healthTimeoutMs + HEALTHCHECK_MARGIN_MS, MAX_TIMER_MS);
  const result = await probeReadiness(probeHostFor(healthHost), healthPort, deadlineMs);
  return exitWith(exit, result.code, result.summary);
}

/** The identity part when a realm is configured; without one, says once that there is no identity. */
function identityPartFor(config: RuntimeConfig, manifest: Manifest, log: RuntimeLogger): IdentityPart | undefined {
  const mode = identityModeOf(config);
  if (mode !== undefined) return new IdentityPart({ mode, config, manifest, log, clock: wallClock, random: Math.random });
  log.info('no realm configured (HECATE_REALM_URL, HECATE_REALM_DID): this service has no identity, and /health no identity check');
  return undefined;
}

/** Credentials are bounded in wall-clock time, so the identity part's clock is Date.now(). */
const wallClock: Clock = { now: () => Date.now(), setTimer: systemClock.setTimer };

/** Constructs the service and refuses to go on if its contract has drifted from the manifest. */
function instantiate<State>(Service: HecateServiceClass<State>, manifest: Manifest, log: RuntimeLogger, exit: Exit): HecateService<State> {
  let service: HecateService<State>;
  try {
    service = new Service();
  } catch (error) {
    log.fatal(`constructing the service threw ${describeError(error)}`, { error });
    return exit(1);
  }
  const drift = findContractDrift(service, manifest);
  if (drift.length === 0) return service;
  log.fatal(`refusing to start: the running code does not match the manifest built into this release: ${drift.join('; ')}`, { differences: drift });
  return exit(1);
}

interface Running<State> {
  readonly parts: readonly RuntimePart[];
  readonly servicePart: ServicePart<State>;
  readonly shutdownController: AbortController;
  readonly config: RuntimeConfig;
  readonly endpoint: HealthEndpoint;
  readonly log: RuntimeLogger;
  readonly readinessLog: ReadinessLog;
  readonly exit: Exit;
}

/** Starts the parts in order with the shutdown already trapped; `started` once every one has, `ready` once readiness holds. */
async function run<State>({ parts, servicePart, shutdownController, config, endpoint, log, readinessLog, exit }: Running<State>): Promise<void> {
  const withdrawals = new Withdrawals();
  for (const part of parts) if (part.withdraw !== undefined) withdrawals.add(part.name, part.withdraw.bind(part));
  const begun: RuntimePart[] = [];
  trapShutdownSignals({
    signals: process,
    log,
    clock: systemClock,
    deadlineMs: config.shutdownTimeoutMs,
    exit,
    steps: {
      beginDraining: () => {
        readinessLog.stop();
        servicePart.setPhase({ name: 'draining' });
        shutdownController.abort();
      },
      withdraw: () => withdrawals.runAll(log),
      // health() must not run beside stop(): wait for the answers in flight and for the call itself.
      drain: () => Promise.all([endpoint.drained(), servicePart.idle()]).then(() => {}),
      // Last started, first stopped: the service stops before what it relies on. A part whose
      // start() failed has nothing to stop; its own stop() knows (boot() reports the failure).
      stop: async () => {
        for (const part of [...begun].reverse()) {
          debug('runtime: stopping the %s part', part.name);
          await part.stop?.();
        }
      },
      close: () => endpoint.close(),
    },
  });

  for (const part of parts) {
    if (shutdownController.signal.aborted) return;
    begun.push(part);
    debug('runtime: starting the %s part', part.name);
    const stopReporting = reportWhileSlow(systemClock, SLOW_START_REPORT_MS, (elapsedMs) =>
      log.warn(`${startOf(part)} has been running for ${Math.round(elapsedMs / 1000)} s; not ready until it returns`, { part: part.name, elapsedMs }),
    );
    try {
      await part.start?.();
    } catch (error) {
      // The contract asks start() to pass the signal on, so a shutdown during start() ends it this way: not a failure.
      if (shutdownController.signal.aborted && isAbortError(error, shutdownController.signal)) {
        log.info(`start() gave up on the shutdown signal with ${describeError(error)}: there is no state for stop()`, { error });
        return;
      }
      const reason = `${startOf(part)} threw ${describeError(error)}`;
      servicePart.setPhase({ name: 'failed', reason });
      log.fatal(reason, { error });
      return exit(1);
    } finally {
      stopReporting();
    }
  }
  if (shutdownController.signal.aborted) return;
  servicePart.setPhase({ name: 'running' });
  for (const part of parts) part.ready?.();
  debug('runtime: every part started (%s)', parts.map((part) => part.name).join(', '));
  // Started is not ready: a required check (a credential, health()) may hold readiness back.
  log.info('started');
  readinessLog.start();
}

/** How a part's start is named in the log: the service's own is the `start()` its author wrote. */
function startOf(part: RuntimePart): string {
  return part.name === 'service' ? 'start()' : `starting the ${part.name} part`;
}

/**
 * Says in the log when a check's status changes, with the reason: a container killed for failing
 * its health check (Quadlet's HealthOnFailure=kill) otherwise leaves nothing saying why.
 */
function logHealthChange(log: RuntimeLogger, check: string, observation: HealthObservation, previous: HealthStatus): void {
  const fields = { check, status: observation.status, previous, reason: observation.reason };
  if (observation.status === 'ok') log.info(`the ${check} check is ok again (it was ${previous})`, fields);
  else if (observation.status === 'degraded') log.warn(`the ${check} check is degraded: ${observation.reason}`, fields);
  else log.error(`the ${check} check is down: ${observation.reason}`, fields);
}

function isAbortError(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

/**
 * An error nothing caught still ends the process with exit 1, as Node would, but reported as a log
 * event like every other, not as a bare stack trace on stderr.
 */
function exitOnUncaughtErrors(log: RuntimeLogger, exit: Exit): void {
  process.on('uncaughtException', (error) => {
    log.fatal(`uncaught exception: ${describeError(error)}`, { error });
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal(`unhandled rejection: ${describeError(reason)}`, { error: reason });
    exit(1);
  });
}

/** Binds the endpoint and returns the configuration with the port actually bound. */
async function listen(endpoint: HealthEndpoint, config: RuntimeConfig, log: RuntimeLogger): Promise<RuntimeConfig> {
  const address = await endpoint.listen(config.healthHost, config.healthPort);
  const fields = { host: address.address, port: address.port };
  // With port 0 the operator cannot know the port unless it is shown at the default level.
  if (config.healthPort === 0) log.warn(`health endpoint listening on port ${address.port}, picked at boot because HECATE_HEALTH_PORT is 0`, fields);
  else log.info('health endpoint listening', fields);
  return { ...config, healthPort: address.port };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}

function exitWith(exit: Exit, code: number, summary: string): never {
  process.stdout.write(`${summary}\n`);
  return exit(code);
}
