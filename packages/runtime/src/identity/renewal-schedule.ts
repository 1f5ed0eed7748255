/**
 * When to renew a credential and when to retry a failed attempt (issue 11): renewal at a random
 * point between half and three quarters of the lifetime, at once past 90 %; retries from 1 s,
 * doubling, ±25 % jitter, at most 5 minutes apart. Pure: `random` is in [0, 1).
 */
export const RENEWAL_SCHEDULE = Object.freeze({
  windowStart: 0.5,
  windowEnd: 0.75,
  renewAtOnceAfter: 0.9,
  firstRetryMs: 1_000,
  maxRetryMs: 300_000,
  jitter: 0.25,
});

/** Milliseconds from `nowMs` until the credential valid from `notBefore` to `expiresAt` (Unix seconds) is renewed. */
export function renewalDelayMs(notBefore: number, expiresAt: number, nowMs: number, random: number): number {
  const { windowStart, windowEnd, renewAtOnceAfter } = RENEWAL_SCHEDULE;
  const lifetimeMs = Math.max(0, expiresAt - notBefore) * 1000;
  const startMs = notBefore * 1000;
  if (nowMs - startMs >= lifetimeMs * renewAtOnceAfter) return 0;
  const atMs = startMs + lifetimeMs * (windowStart + (windowEnd - windowStart) * random);
  return Math.max(0, Math.round(atMs - nowMs));
}

/** Milliseconds before retry number `attempt` (0 for the first retry after a failure). */
export function retryDelayMs(attempt: number, random: number): number {
  const { firstRetryMs, maxRetryMs, jitter } = RENEWAL_SCHEDULE;
  const base = Math.min(firstRetryMs * 2 ** Math.min(attempt, 30), maxRetryMs);
  return Math.round(Math.min(base * (1 + jitter * (2 * random - 1)), maxRetryMs));
}
