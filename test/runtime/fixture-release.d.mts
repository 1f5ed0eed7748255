// Types for fixture-release.mjs, which stays JavaScript because the benchmarks run it with plain node.
import type { ChildProcess } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import type { ContractValues, Manifest } from '@hecate-om/contract';

/** An unpacked release: the directory that holds main.js, and the manifest built into it. */
export interface Release {
  readonly dir: string;
  readonly manifest: Manifest;
}

/** One stdout line of a running release: its JSON fields, or `{ text }` when it is not JSON. */
export interface ReleaseLogLine {
  readonly level?: string;
  readonly message?: string;
  readonly fixture?: string;
  readonly port?: number;
  readonly text?: string;
  readonly [field: string]: unknown;
}

export interface RunningRelease {
  readonly child: ChildProcess;
  readonly lines: ReleaseLogLine[];
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(match: (event: ReleaseLogLine) => boolean, what?: string): Promise<ReleaseLogLine>;
  /** The health port, once the endpoint listens: `start()` may still be running, so `/health` may say `starting`. */
  port(): Promise<number>;
  /**
   * The health port, once the runtime has logged `started` (needs HECATE_LOG_LEVEL info, the default
   * here): `start()` has returned, so `/health` reports what `health()` says. Its `ready` line may
   * come later, or never: it says readiness holds.
   */
  ready(): Promise<number>;
  fixtureEvents(name: string): ReleaseLogLine[];
  kill(signal: NodeJS.Signals): boolean;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: { readonly [key: string]: unknown } | undefined;
}

export function contractValuesOfFixture(fixture: string): Promise<ContractValues>;
export function buildPluginRelease(project: string, service?: string): Promise<Release>;
export function buildFixtureRelease(fixture: string, values?: ContractValues): Promise<Release>;
export function buildRuntimeFixture(): Promise<Release>;
export function removeRelease(dir: string): Promise<void>;
export function readMainJs(dir: string): Promise<string>;
export function runRelease(dir: string, env?: Record<string, string | undefined>, args?: readonly string[]): RunningRelease;
export function httpGet(port: number, path: string, method?: string): Promise<HttpAnswer>;
