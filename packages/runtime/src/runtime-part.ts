import type { HealthStatus } from '@hecate-om/contract';
import type { HealthObservation } from './health-monitor.js';

/**
 * How a part's check counts (the policy is the part's, documented in the runtime README):
 * - `required`: its `down` makes `/health` `down` (503) and `/health/ready` 503.
 * - `optional`: its `down` makes `/health` `degraded` (200) and leaves readiness alone.
 */
export type ReadinessPolicy = 'required' | 'optional';

/**
 * One part of a running service: the service itself, and later its identity and its mesh link.
 * `boot()` starts the parts in order, reports each one's check under its name in `/health`, and at
 * shutdown withdraws them (last started first) before the drain and stops them, last started first,
 * after it. Every step is optional; a part with none is only a name.
 */
export interface RuntimePart {
  /** Its key under `checks` in `/health`: `service`, `identity`, `mesh`. */
  readonly name: string;
  readonly readiness: ReadinessPolicy;
  /** Called once, in part order; a part that throws stops the boot. */
  readonly start?: () => Promise<void>;
  /** What `/health` reports for it; cheap, or cached by the part (see HealthMonitor). */
  readonly check?: () => HealthObservation | Promise<HealthObservation>;
  /**
   * Takes back what the part announced to others, so that no new work is routed here; resolves
   * `false` when nothing had been announced (nothing is then said in the log).
   */
  readonly withdraw?: () => void | boolean | Promise<void | boolean>;
  /** Releases what the part holds, once, after the drain. */
  readonly stop?: () => Promise<void>;
  /** Told once every part has started and the service is running (the mesh advertises then). */
  readonly ready?: () => void;
}

/** A part's check as `/health` aggregates it. */
export interface NamedCheck {
  readonly name: string;
  readonly readiness: ReadinessPolicy;
  readonly observe: () => HealthObservation | Promise<HealthObservation>;
}

/** The checks of the parts that have one, the service's first (IETF health+json keeps `checks` in order). */
export function checksOf(parts: readonly RuntimePart[]): NamedCheck[] {
  const checks: NamedCheck[] = [];
  for (const part of parts) {
    const check = part.check;
    if (check !== undefined) checks.push({ name: part.name, readiness: part.readiness, observe: () => check.call(part) });
  }
  return checks.sort((a, b) => Number(b.name === 'service') - Number(a.name === 'service'));
}

/** Whether an observation lets a `required` check count as ready: not down, and not holding readiness back. */
export function observedReady(observation: HealthObservation | undefined): boolean {
  return observation !== undefined && observation.status !== 'down' && observation.ready !== false;
}

/** Ready, or the first required check that is not, with its reason (the order of `/health/ready`). */
export async function readinessOf(checks: readonly NamedCheck[]): Promise<{ readonly ready: true } | { readonly ready: false; readonly reason: string }> {
  for (const check of checks) {
    if (check.readiness !== 'required') continue;
    const observation = await check.observe();
    if (!observedReady(observation)) return { ready: false, reason: `the ${check.name} check is ${observation.status}${observation.reason === undefined ? '' : `: ${observation.reason}`}` };
  }
  return { ready: true };
}

/** The worst status, where an optional check that is down only degrades the whole: `/health`'s status. */
export function aggregateStatus(checks: readonly NamedCheck[], observations: readonly (HealthObservation | undefined)[]): HealthStatus {
  let status: HealthStatus = 'ok';
  checks.forEach((check, index) => {
    const observed = observations[index]?.status ?? 'down';
    if (observed === 'down' && check.readiness === 'required') status = 'down';
    else if (observed !== 'ok' && status === 'ok') status = 'degraded';
  });
  return status;
}

/** `/health`'s status now, observing every check (each cached by its part). */
export async function healthOf(checks: readonly NamedCheck[]): Promise<HealthStatus> {
  return aggregateStatus(checks, await Promise.all(checks.map((check) => check.observe())));
}
