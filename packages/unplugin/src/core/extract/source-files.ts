import { relative, sep } from 'node:path';
import { type Node, Project, type SourceFile, ts } from 'ts-morph';
import type { Diagnostic, DiagnosticCode } from '../diagnostic.js';
import { readRegularFile } from '../regular-file.js';
import { LIMITS } from './limits.js';

/** Where a value or a problem is: the fields of a Diagnostic besides code and message. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 0-based. */
  readonly column: number;
  /**
   * The source line, for the bundler to show under the message; a line longer than
   * `LIMITS.lineTextLength` is cut there (or, when the column lies past that, left out), so a
   * minified file cannot make every diagnostic carry a megabyte.
   */
  readonly lineText: string;
  /** The column in UTF-8 bytes, as esbuild counts: `lineText` may not hold the line to compute it from. */
  readonly byteColumn: number;
}

/** Why a file an import names cannot be read as a source file of the service. */
export type UnreadableFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-file'; readonly what: string }
  | { readonly kind: 'too-large'; readonly size: number }
  | { readonly kind: 'not-utf8'; readonly byte: number; readonly location: SourceLocation }
  | { readonly kind: 'too-many-files' }
  /** Nested so deeply that TypeScript's parser runs out of stack: `location` is where the nesting passes the limit. */
  | { readonly kind: 'too-deep'; readonly location: SourceLocation };

export type FileReading = { readonly ok: true; readonly file: SourceFile } | ({ readonly ok: false } & UnreadableFile);

/**
 * The files one analysis parses. Nothing is type-checked and no import is resolved by the compiler:
 * a file is parsed only when the analysis follows an import to it, so a small service costs one parse.
 */
export class SourceFiles {
  readonly #project = new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, resolveJsonModule: true, noLib: true },
  });
  readonly #read = new Set<string>();
  readonly #absent = new Set<string>();

  /** @param root the service project, against which messages name files */
  constructor(readonly root: string) {}

  /**
   * The parsed file at an absolute path, or why it cannot be read: it is missing, not a regular
   * file, larger than `LIMITS.sourceBytes`, not UTF-8 (which is how esbuild reads sources: another
   * encoding would turn into U+FFFD in the manifest), or one file more than `LIMITS.files`.
   */
  read(path: string): FileReading {
    const known = this.#project.getSourceFile(path);
    if (known !== undefined) return { ok: true, file: known };
    if (this.#read.size >= LIMITS.files) return { ok: false, kind: 'too-many-files' };
    const bytes = readRegularFile(path, { maxBytes: LIMITS.sourceBytes });
    if ('kind' in bytes) return { ok: false, ...bytes };
    this.#read.add(path);
    const text = bytes.toString('utf8');
    const invalidAt = firstInvalidUtf8Byte(bytes, text);
    if (invalidAt !== undefined) {
      const prefix = bytes.subarray(0, invalidAt).toString('utf8');
      const line = prefix.split('\n').length;
      const lineStart = prefix.lastIndexOf('\n') + 1;
      const column = prefix.length - lineStart;
      const fullLine = text.slice(lineStart).split(/\r?\n/, 1)[0] ?? '';
      return { ok: false, kind: 'not-utf8', byte: bytes[invalidAt] ?? 0, location: { file: path, line, ...columnAndLineText(fullLine, column) } };
    }
    // A byte-order mark is not part of the text, for esbuild as for TypeScript.
    const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
    try {
      return { ok: true, file: this.#project.createSourceFile(path, source, { overwrite: true }) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { ok: false, kind: 'too-deep', location: { file: path, ...deepNestingAt(source) } };
    }
  }

  /** The text of a file the analysis depends on without parsing it (a tsconfig.json), or undefined when unreadable. */
  readText(path: string): string | undefined {
    const bytes = readRegularFile(path, { maxBytes: LIMITS.sourceBytes });
    if ('kind' in bytes) return undefined;
    this.#read.add(path);
    return bytes.toString('utf8');
  }

  /** The parsed file at an absolute path, or undefined when it cannot be read (see `read`). */
  at(path: string): SourceFile | undefined {
    const reading = this.read(path);
    return reading.ok ? reading.file : undefined;
  }

  /** Absolute paths of every file parsed so far. */
  get inputs(): string[] {
    return [...this.#read];
  }

  /** Remembers a path the analysis looked for and did not find, whose appearing would change the result. */
  noteAbsent(path: string): void {
    this.#absent.add(path);
  }

  /** Absolute paths looked for and not found, as noted. */
  get absent(): string[] {
    return [...this.#absent];
  }

  /** `src/service.ts:14:23`: the file relative to the project root, the column 1-based for people. */
  describe(location: SourceLocation): string {
    return `${this.relativePath(location.file)}:${location.line}:${location.column + 1}`;
  }

  /** A path as messages show it: relative to the project root, with forward slashes. */
  relativePath(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }
}

export function locationOf(node: Node): SourceLocation {
  return locationAtOffset(node.getSourceFile(), node.getStart());
}

/** The first character of a file: for problems that concern a whole file. */
export function startOf(file: SourceFile): SourceLocation {
  return locationAtOffset(file, 0);
}

/** A location in a file that could not be read, such as a missing service module. */
export function startOfMissingFile(path: string): SourceLocation {
  return { file: path, line: 1, column: 0, lineText: '', byteColumn: 0 };
}

function locationAtOffset(file: SourceFile, position: number): SourceLocation {
  // The compiler's own line table (a binary search; ts-morph's getLineAndColumnAtPos scans the text
  // from the start), and its own string (getFullText() would copy the whole file for every location).
  const source = file.compilerNode;
  const { line, character } = ts.getLineAndCharacterOfPosition(source, position);
  const lineStarts = source.getLineStarts();
  const text = source.text;
  const fullLine = text.slice(lineStarts[line], lineStarts[line + 1] ?? text.length).replace(/\r?\n$/, '');
  return { file: source.fileName, line: line + 1, ...columnAndLineText(fullLine, character) };
}

/** The column, in UTF-16 units and in UTF-8 bytes, and the line as a diagnostic carries it (cut when long). */
function columnAndLineText(line: string, column: number): Pick<SourceLocation, 'column' | 'lineText' | 'byteColumn'> {
  const byteColumn = Buffer.byteLength(line.slice(0, column));
  if (line.length <= LIMITS.lineTextLength) return { column, lineText: line, byteColumn };
  // esbuild underlines `byteColumn` in `lineText`, so a cut line must still start where the line does.
  return { column, lineText: column < LIMITS.lineTextLength ? `${line.slice(0, LIMITS.lineTextLength)}…` : '', byteColumn };
}

/**
 * Where brackets first nest deeper than `LIMITS.depth`, for a file the parser could not take:
 * counted over the text with strings and comments skipped (no parse is possible to do better).
 */
function deepNestingAt(text: string): Pick<SourceLocation, 'line' | 'column' | 'lineText' | 'byteColumn'> {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '\n') {
      line += 1;
      lineStart = index + 1;
    }
    if (quote !== undefined) {
      if (character === '\\') index += 1;
      else if (character === quote) quote = undefined;
      continue;
    }
    if (character === '/' && text[index + 1] === '/') {
      const end = text.indexOf('\n', index);
      index = (end === -1 ? text.length : end) - 1;
    } else if (character === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 1;
    } else if (character === "'" || character === '"' || character === '`') quote = character;
    else if (character === '(' || character === '[' || character === '{') {
      depth += 1;
      if (depth > LIMITS.depth) {
        const fullLine = text.slice(lineStart).split(/\r?\n/, 1)[0] ?? '';
        return { line, ...columnAndLineText(fullLine, index - lineStart) };
      }
    } else if (character === ')' || character === ']' || character === '}') depth -= 1;
  }
  return { line: 1, ...columnAndLineText(text.split(/\r?\n/, 1)[0] ?? '', 0) };
}

/**
 * The offset of the first byte that is not part of valid UTF-8, if any: decoding turns each invalid
 * sequence into U+FFFD, so the first place where re-encoding the text differs from the bytes is it.
 */
function firstInvalidUtf8Byte(bytes: Buffer, text: string): number | undefined {
  if (!text.includes('\uFFFD')) return undefined;
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.equals(bytes)) return undefined;
  const length = Math.min(encoded.length, bytes.length);
  for (let index = 0; index < length; index += 1) if (encoded[index] !== bytes[index]) return index;
  return length;
}

/** A diagnostic at `location`: `message` says what is wrong, `hint` (when there is one) what to change. */
export function diagnosticAt(code: DiagnosticCode, message: string, location: SourceLocation, hint?: string): Diagnostic {
  return hint === undefined ? { code, message, ...location } : { code, message, hint, ...location };
}
