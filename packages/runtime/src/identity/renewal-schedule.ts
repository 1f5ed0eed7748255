/**
 * When to renew a credential and when to retry a failed attempt (issue 11): renewal at a random
 * point between half and three quarters of the lifetime, at once past 90 %; retries from 1 s,
 * doubling, ±25 % jitter, at most 5 minutes apart. Pure: `random` is in [0, 1).
 *
 * Two rules keep this right for lifetimes of seconds (the realm's floor is 60 s): a grant is never
 * followed by a claim sooner than a tenth of its lifetime (and 1 s), so a credential that looks old
 * on arrival (a realm whose clock is behind) is renewed at a bounded rate instead of in a loop; and
 * while the credential in use is valid, a retry comes no later than half-way to its expiry, so the
 * last attempts are made before it expires however far the backoff has grown.
 */
export const RENEWAL_SCHEDULE = Object.freeze({
  windowStart: 0.5,
  windowEnd: 0.75,
  renewAtOnceAfter: 0.9,
  minGapAfterGrant: 0.1,
  firstRetryMs: 1_000,
  maxRetryMs: 300_000,
  jitter: 0.25,
  minRetryBeforeExpiryMs: 500,
});

/**
 * Milliseconds from `nowMs` until the credential valid from `notBefore` to `expiresAt` (Unix
 * seconds) is renewed; `afterGrant` when it was granted just now, rather than resumed.
 */
export function renewalDelayMs(notBefore: number, expiresAt: number, nowMs: number, random: number, afterGrant = false): number {
  const { windowStart, windowEnd, renewAtOnceAfter, minGapAfterGrant, firstRetryMs } = RENEWAL_SCHEDULE;
  const lifetimeMs = Math.max(0, expiresAt - notBefore) * 1000;
  const startMs = notBefore * 1000;
  const floorMs = afterGrant ? Math.max(firstRetryMs, Math.round(lifetimeMs * minGapAfterGrant)) : 0;
  if (nowMs - startMs >= lifetimeMs * renewAtOnceAfter) return floorMs;
  const atMs = startMs + lifetimeMs * (windowStart + (windowEnd - windowStart) * random);
  return Math.max(floorMs, Math.round(atMs - nowMs));
}

/**
 * Milliseconds before retry number `attempt` (0 for the first retry after a failure), and, while
 * the credential in use is valid, no later than half of `msUntilExpiry` (but not under 500 ms).
 */
export function retryDelayMs(attempt: number, random: number, msUntilExpiry?: number): number {
  const { firstRetryMs, maxRetryMs, jitter, minRetryBeforeExpiryMs } = RENEWAL_SCHEDULE;
  const base = Math.min(firstRetryMs * 2 ** Math.min(attempt, 30), maxRetryMs);
  const delay = Math.round(Math.min(base * (1 + jitter * (2 * random - 1)), maxRetryMs));
  if (msUntilExpiry === undefined || msUntilExpiry <= 0) return delay;
  return Math.min(delay, Math.max(minRetryBeforeExpiryMs, Math.round(msUntilExpiry / 2)));
}
