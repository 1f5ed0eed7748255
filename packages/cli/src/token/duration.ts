const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;
const DURATION = /^(\d{1,9})([smhd]?)$/;

export type DurationResult = { readonly ok: true; readonly seconds: number } | { readonly ok: false; readonly message: string };

/**
 * A lifetime as the command line spells it: whole seconds (`3600`), or a whole number of seconds,
 * minutes, hours or days (`90s`, `30m`, `24h`, `7d`).
 */
export function parseDuration(text: string): DurationResult {
  const match = DURATION.exec(text);
  if (match === null) return { ok: false, message: `${JSON.stringify(text)} is not a duration: give whole seconds (3600) or a number with s, m, h or d (30m, 24h, 7d)` };
  const unit = (match[2] === '' ? 's' : match[2]) as keyof typeof UNIT_SECONDS;
  return { ok: true, seconds: Number(match[1]) * UNIT_SECONDS[unit] };
}
