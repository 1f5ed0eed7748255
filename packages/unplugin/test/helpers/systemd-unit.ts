/**
 * A small, strict reader of systemd unit files, following systemd.syntax(7) and systemd's
 * conf-parser: the tests read the rendered Quadlet unit the way systemd (and Quadlet, which parses
 * the same syntax) will, and fail on anything ambiguous instead of guessing. No npm INI parser
 * handles systemd's semantics (repeated keys, line continuation, quoting, specifiers).
 */

export interface UnitEntry {
  readonly key: string;
  /** The raw value: whitespace around it stripped, continuations joined, nothing unquoted. */
  readonly value: string;
}

export interface UnitSection {
  readonly name: string;
  readonly entries: UnitEntry[];
}

const WHITESPACE = /^[ \t]+|[ \t]+$/g;
const KEY = /^[A-Za-z0-9-]+$/;

function endsWithContinuation(line: string): boolean {
  // systemd pairs each backslash with the character after it; a final unpaired one continues the line.
  let escaped = false;
  for (const character of line) escaped = escaped ? false : character === '\\';
  return escaped;
}

/**
 * Sections and their entries, in file order. Throws on a carriage return or other control
 * character, a key outside any section, a line that is neither a section, a comment nor key=value,
 * or a continuation that never ends.
 */
export function parseSystemdUnit(text: string): UnitSection[] {
  const control = /[\u0000-\u0009\u000b-\u001f\u007f]/.exec(text);
  if (control !== null) throw new Error(`control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} at offset ${control.index}`);
  const sections: UnitSection[] = [];
  let continuation: string | undefined;
  text.split('\n').forEach((rawLine, index) => {
    const leading = rawLine.replace(/^[ \t]+/, '');
    if (leading.startsWith('#') || leading.startsWith(';')) return; // comments are skipped, even inside a continuation
    const joined = continuation === undefined ? rawLine : `${continuation}${rawLine}`;
    if (endsWithContinuation(joined)) {
      continuation = `${joined.slice(0, -1)} `;
      return;
    }
    continuation = undefined;
    const line = joined.replace(WHITESPACE, '');
    if (line === '') return;
    if (line.startsWith('[')) {
      const name = /^\[([^[\]]+)\]$/.exec(line)?.[1];
      if (name === undefined) throw new Error(`line ${index + 1}: malformed section header ${JSON.stringify(line)}`);
      sections.push({ name, entries: [] });
      return;
    }
    const equals = line.indexOf('=');
    const key = equals < 0 ? '' : line.slice(0, equals).replace(WHITESPACE, '');
    if (!KEY.test(key)) throw new Error(`line ${index + 1}: not key=value: ${JSON.stringify(line)}`);
    const section = sections.at(-1);
    if (section === undefined) throw new Error(`line ${index + 1}: ${key}= outside any section`);
    section.entries.push({ key, value: line.slice(equals + 1).replace(WHITESPACE, '') });
  });
  if (continuation !== undefined) throw new Error('the file ends inside a line continuation');
  return sections;
}

/** systemd's specifier expansion, restricted to `%%`: the renderer emits no other specifier. */
export function expandSpecifiers(value: string): string {
  return value.replace(/%(.?)/gs, (match, next: string) => {
    if (next !== '%') throw new Error(`unexpected specifier ${JSON.stringify(match)} in ${JSON.stringify(value)}`);
    return '%';
  });
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ',
  '\\': '\\', '"': '"', "'": "'",
};

/**
 * systemd's word splitting with quotes and C escapes (extract_first_word with EXTRACT_UNQUOTE |
 * EXTRACT_CUNESCAPE), as Environment= uses it. Strict: an unknown escape, a dangling backslash or an
 * unterminated quote throws.
 */
export function splitSystemdWords(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index] as string;
    if (quote === undefined && (character === ' ' || character === '\t')) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (quote === undefined && (character === '"' || character === "'")) quote = character;
    else if (character === quote) quote = undefined;
    else if (character === '\\') {
      const next = value[index + 1];
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(value.slice(index + 2, index + 4))) {
        word += String.fromCharCode(Number.parseInt(value.slice(index + 2, index + 4), 16));
        index += 3;
      } else if (next !== undefined && SIMPLE_ESCAPES[next] !== undefined) {
        word += SIMPLE_ESCAPES[next];
        index += 1;
      } else throw new Error(`unknown escape at ${index} in ${JSON.stringify(value)}`);
    } else word += character;
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} in ${JSON.stringify(value)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The values of every `key` in `section`, in order. */
export function valuesOf(sections: readonly UnitSection[], section: string, key: string): string[] {
  return sections.filter((candidate) => candidate.name === section).flatMap((candidate) =>
    candidate.entries.filter((entry) => entry.key === key).map((entry) => entry.value),
  );
}
