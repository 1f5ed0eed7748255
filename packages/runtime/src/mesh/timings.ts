/** A wait that grows with each failure in a row: `firstMs`, doubling up to `maxMs`, each spread by ±`jitter` (a fraction). */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly jitter: number;
}

/** The mesh's timings, in one place (the runtime README's mesh section states them). */
export const MESH_TIMINGS = {
  /** Each call attempt waits this long for an answer unless the caller says otherwise. */
  callTimeoutMs: 5000,
  /** A sweep collects INFO replies for this long. */
  sweepWaitMs: 1000,
  /** Full re-sweeps, spread by ±20 % so a fleet does not sweep in lockstep. */
  sweepIntervalMs: 5000,
  sweepJitter: 0.2,
  /**
   * Reconnecting, forever (an always-on daemon never gives up): the client's reconnection after a
   * loss, and the link's own dialling when none was made yet or the client gave one up (a server
   * refusing the credentials at a reconnection). The first reconnection goes at once (another server
   * of a cluster may be up); then 2 s, doubling up to 30 s, each wait spread by ±25 % so a fleet
   * that lost its server together does not come back in lockstep.
   */
  reconnect: { firstMs: 2000, maxMs: 30_000, jitter: 0.25 },
  /** How often the advertisement reads readiness again (the service's health() is cached this long). */
  readinessPollMs: 1000,
  /** A failed advertisement is retried after 1 s, doubling up to 30 s, each wait spread by ±25 %. */
  advertiseRetry: { firstMs: 1000, maxMs: 30_000, jitter: 0.25 },
} as const satisfies Record<string, number | Backoff>;

/**
 * The longest an instance that stopped answering (killed, hung, cut off) stays in the views of
 * others: it misses the next full sweep, which starts at most one jittered interval later and
 * collects replies for `sweepWaitMs`. 7 s with the timings above.
 */
export const MESH_LEAVE_WITHIN_MS = MESH_TIMINGS.sweepIntervalMs * (1 + MESH_TIMINGS.sweepJitter) + MESH_TIMINGS.sweepWaitMs;

/** `ms` spread uniformly by ±`jitter` (a fraction), so a fleet does not act in lockstep. */
export function jittered(ms: number, jitter: number, random: () => number): number {
  return ms * (1 + (random() * 2 - 1) * jitter);
}

/** The wait after `failures` failures in a row (at least 1), as `backoff` grows it. */
export function backoffMs(failures: number, backoff: Backoff, random: () => number): number {
  return jittered(Math.min(backoff.firstMs * 2 ** (failures - 1), backoff.maxMs), backoff.jitter, random);
}
