/** The mesh's timings, in one place (the runtime README's mesh section states them). */
export const MESH_TIMINGS = {
  /** Each call attempt waits this long for an answer unless the caller says otherwise. */
  callTimeoutMs: 5000,
  /** A sweep collects INFO replies for this long. */
  sweepWaitMs: 1000,
  /** Full re-sweeps, spread by ±20 % so a fleet does not sweep in lockstep. */
  sweepIntervalMs: 5000,
  sweepJitter: 0.2,
  /** Reconnect waits 2 s plus up to 1 s of jitter, forever: an always-on daemon never gives up. */
  reconnectWaitMs: 2000,
  reconnectJitterMs: 1000,
  /**
   * A connection the link dials itself (none made yet, or one the client gave up: a server refusing
   * the credentials at a reconnection) is tried again after 2 s, doubling up to 30 s, each wait
   * spread by ±25 %.
   */
  connectRetryMs: 2000,
  connectRetryMaxMs: 30_000,
  connectRetryJitter: 0.25,
  /** How often the advertisement reads readiness again (the service's health() is cached this long). */
  readinessPollMs: 1000,
  /** A failed advertisement is retried after 1 s, doubling up to 30 s, each wait spread by ±25 %. */
  advertiseRetryMs: 1000,
  advertiseRetryMaxMs: 30_000,
  advertiseRetryJitter: 0.25,
} as const;

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
