/** Unix seconds as a UTC timestamp a person reads: `2026-11-29T18:00:00Z`. */
export function formatUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
] as const;

/** A span of seconds in its two largest units: `2 d 3 h`, `5 min 10 s`, `0 s`. */
export function formatSpan(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.abs(Math.trunc(seconds));
  for (const [unit, size] of UNITS) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** A time relative to `now` (both Unix seconds): `in 2 h 3 min`, `5 min 10 s ago`, `now`. */
export function formatRelative(seconds: number, now: number): string {
  if (seconds === now) return 'now';
  return seconds > now ? `in ${formatSpan(seconds - now)}` : `${formatSpan(now - seconds)} ago`;
}
