import type { HecateService, HecateServiceClass, Manifest, RuntimeConfig } from '@hecate-om/contract';
import { HEALTHCHECK_MARGIN_MS } from '@hecate-om/contract/rules';
import { formatConfigProblem, MAX_TIMER_MS, resolveConfig, type Environment, type ResolveConfigResult } from './config.js';
import { findContractDrift } from './contract-drift.js';
import { describeError } from './describe-error.js';
import { HealthEndpoint } from './health-endpoint.js';
import { HEALTH_CACHE_MS, HealthMonitor, systemClock } from './health-monitor.js';
import { HEALTHCHECK_EXIT, probeHostFor, probeReadiness } from './healthcheck.js';
import { createLogger, type RuntimeLogger } from './logger.js';
import { trapShutdownSignals } from './shutdown.js';
import { Withdrawals } from './withdrawals.js';

export interface BootOptions {
  /** The manifest derived at build time; the generated entry passes it in. */
  readonly manifest: Manifest;
  /** @default process.env */
  readonly env?: Environment;
  /** The command line after `node main.js`. @default process.argv.slice(2) */
  readonly argv?: readonly string[];
}

/**
 * Runs a service: checks that the running code still matches the manifest built into the release,
 * starts the health endpoint, calls `start()`, and shuts down gracefully on SIGTERM or SIGINT. With
 * `--healthcheck` it probes the running service's readiness instead and exits 0, 1 or 2.
 */
export async function boot<State>(Service: HecateServiceClass<State>, options: BootOptions): Promise<void> {
  const { manifest } = options;
  const resolved = resolveConfig(options.env ?? process.env, manifest);
  if ((options.argv ?? process.argv.slice(2)).includes('--healthcheck')) return healthcheck(resolved);
  if (!resolved.ok) {
    const log = createLogger({ level: 'silent', service: manifest, write: writeStdout });
    for (const problem of resolved.problems) log.fatal(`invalid configuration: ${formatConfigProblem(problem)}`, { variable: problem.variable });
    return process.exit(1);
  }
  const log = createLogger({ level: resolved.value.logLevel, service: manifest, write: writeStdout });
  exitOnUncaughtErrors(log);
  for (const name of resolved.unknownVariables) log.warn(`${name} is not a setting of the hecate-om runtime and is ignored`, { variable: name });

  const service = instantiate(Service, manifest, log);
  const endpoint = new HealthEndpoint(manifest, (error) => log.error(`the health endpoint failed: ${describeError(error)}`, { error }));
  let config: RuntimeConfig;
  try {
    config = await listen(endpoint, resolved.value, log);
  } catch (error) {
    const { healthHost, healthPort } = resolved.value;
    log.fatal(`the health endpoint cannot listen on ${healthHost}:${healthPort} (HECATE_HEALTH_HOST, HECATE_HEALTH_PORT): ${describeError(error)}`, { error });
    return process.exit(1);
  }
  await run(service, { config, endpoint, log, manifest });
}

async function healthcheck(resolved: ResolveConfigResult): Promise<never> {
  if (!resolved.ok) return exitWith(HEALTHCHECK_EXIT.unreachable, resolved.problems.map(formatConfigProblem).join('\n'));
  const { healthHost, healthPort, healthTimeoutMs } = resolved.value;
  if (healthPort === 0)
    return exitWith(HEALTHCHECK_EXIT.unreachable, 'unreachable: HECATE_HEALTH_PORT is 0, so the port was picked at boot and cannot be probed');
  // Past the largest timer a deadline would fire at once: the margin must not push the longest timeout over it.
  const deadlineMs = Math.min(healthTimeoutMs + HEALTHCHECK_MARGIN_MS, MAX_TIMER_MS);
  const result = await probeReadiness(probeHostFor(healthHost), healthPort, deadlineMs);
  return exitWith(result.code, result.summary);
}

/** Constructs the service and refuses to go on if its contract has drifted from the manifest. */
function instantiate<State>(Service: HecateServiceClass<State>, manifest: Manifest, log: RuntimeLogger): HecateService<State> {
  let service: HecateService<State>;
  try {
    service = new Service();
  } catch (error) {
    log.fatal(`constructing the service threw ${describeError(error)}`, { error });
    return process.exit(1);
  }
  const drift = findContractDrift(service, manifest);
  if (drift.length === 0) return service;
  log.fatal(`refusing to start: the running code does not match the manifest built into this release: ${drift.join('; ')}`, { differences: drift });
  return process.exit(1);
}

interface Running {
  readonly config: RuntimeConfig;
  readonly endpoint: HealthEndpoint;
  readonly log: RuntimeLogger;
  readonly manifest: Manifest;
}

/** Calls `start()` with the shutdown already trapped, then hands `health()` to the endpoint. */
async function run<State>(service: HecateService<State>, { config, endpoint, log, manifest }: Running): Promise<void> {
  const shutdownController = new AbortController();
  const started = Promise.resolve().then(() => service.start({ config, log, manifest, signal: shutdownController.signal }));
  const monitor = new HealthMonitor({ check: () => service.health(), timeoutMs: config.healthTimeoutMs, cacheMs: HEALTH_CACHE_MS, clock: systemClock });
  const withdrawals = new Withdrawals();
  trapShutdownSignals({
    signals: process,
    log,
    clock: systemClock,
    deadlineMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
    steps: {
      beginDraining: () => {
        endpoint.setPhase({ name: 'draining' });
        shutdownController.abort();
      },
      withdraw: () => withdrawals.runAll(log),
      // health() must not run beside stop(): wait for the answers in flight and for the call itself.
      drain: () => Promise.all([endpoint.drained(), monitor.idle()]).then(() => {}),
      stop: async () => {
        // A start() that failed has no state to stop; run() reports why it failed.
        const outcome = await started.then((state) => ({ state }), () => undefined);
        if (outcome !== undefined) await service.stop(outcome.state);
      },
      close: () => endpoint.close(),
    },
  });

  try {
    await started;
  } catch (error) {
    // The contract asks start() to pass the signal on, so a shutdown during start() ends it this way: not a failure.
    if (shutdownController.signal.aborted && isAbortError(error, shutdownController.signal)) {
      log.info(`start() gave up on the shutdown signal with ${describeError(error)}: there is no state for stop()`, { error });
      return;
    }
    const reason = `start() threw ${describeError(error)}`;
    endpoint.setPhase({ name: 'failed', reason });
    log.fatal(reason, { error });
    return process.exit(1);
  }
  if (shutdownController.signal.aborted) return;
  endpoint.setPhase({ name: 'running', monitor });
  log.info('ready');
}

function isAbortError(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

/**
 * An error nothing caught still ends the process with exit 1, as Node would, but reported as a log
 * event like every other, not as a bare stack trace on stderr.
 */
function exitOnUncaughtErrors(log: RuntimeLogger): void {
  process.on('uncaughtException', (error) => {
    log.fatal(`uncaught exception: ${describeError(error)}`, { error });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal(`unhandled rejection: ${describeError(reason)}`, { error: reason });
    process.exit(1);
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

function exitWith(code: number, summary: string): never {
  process.stdout.write(`${summary}\n`);
  return process.exit(code);
}
