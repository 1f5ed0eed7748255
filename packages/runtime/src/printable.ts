/**
 * Characters a terminal or a log viewer acts on rather than shows: C0 and C1 controls (ESC and CSI
 * start escape sequences), DEL, the line and paragraph separators, and the bidirectional controls
 * that reorder what is shown (CVE-2021-42574). The backslash too, so that an escape is never
 * mistaken for the characters `\n` sent as such.
 */
const UNPRINTABLE = /[\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every character that could break a line or drive a terminal written as an escape (`\n`, `\u001b`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => SHORT_ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
