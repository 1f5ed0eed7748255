import type { Health } from './health.js';
import type { Capability, IdentitySpec, Info, Manifest } from './schemas.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured logger: one JSON line per event, carrying the service name and version. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The runtime's settings, resolved from the environment at boot. */
export interface RuntimeConfig {
  readonly healthHost: string;
  /** The port the health endpoint is bound to: the one picked at boot when HECATE_HEALTH_PORT is 0. */
  readonly healthPort: number;
  readonly secretsDir: string;
  readonly stateDir: string;
  readonly logLevel: LogLevel;
  /** How long `health()` may take before the endpoint reports `down`. */
  readonly healthTimeoutMs: number;
  /** The deadline for the whole shutdown: withdrawals, drain and `stop()`. */
  readonly shutdownTimeoutMs: number;
}

/** What hecate-om hands to `start()`. */
export interface StartOptions {
  readonly config: RuntimeConfig;
  readonly log: Logger;
  /** The manifest derived at build time and embedded in the release. */
  readonly manifest: Manifest;
  /** Aborted when shutdown begins: pass it to long-running work so it can wind down. */
  readonly signal: AbortSignal;
}

/**
 * The one class a service author writes. hecate-om reads `info()`, `capabilities()` and
 * `identitySpec()` at build time to derive the manifest, and calls `start`, `health` and `stop` at
 * run time. `State` is whatever `start` returns and `stop` receives.
 */
export abstract class HecateService<State = void> {
  abstract start(opts: StartOptions): State | Promise<State>;
  abstract stop(state: State): void | Promise<void>;
  abstract health(): Health | Promise<Health>;
  abstract capabilities(): readonly Capability[];
  abstract identitySpec(): IdentitySpec;
  abstract info(): Info;
}

/** A concrete service class as `boot()` receives it. */
export type HecateServiceClass<State = unknown> = new () => HecateService<State>;
