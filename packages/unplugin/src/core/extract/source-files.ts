import { relative, sep } from 'node:path';
import { type Node, Project, type SourceFile } from 'ts-morph';
import type { Diagnostic, DiagnosticCode } from '../diagnostic.js';

/** Where a value or a problem is: the fields of a Diagnostic besides code and message. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 0-based. */
  readonly column: number;
  readonly lineText: string;
}

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

  /** The parsed file at an absolute path, or undefined when there is no such file. */
  at(path: string): SourceFile | undefined {
    const file = this.#project.getSourceFile(path) ?? this.#project.addSourceFileAtPathIfExists(path);
    if (file !== undefined) this.#read.add(path);
    return file;
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
  return locationAt(node.getSourceFile(), node.getStart());
}

/** The first character of a file: for problems that concern a whole file. */
export function startOf(file: SourceFile): SourceLocation {
  return locationAt(file, 0);
}

/** A location in a file that could not be read, such as a missing service module. */
export function startOfMissingFile(path: string): SourceLocation {
  return { file: path, line: 1, column: 0, lineText: '' };
}

function locationAt(file: SourceFile, position: number): SourceLocation {
  // ts-morph counts columns from 1; esbuild, and so Diagnostic, from 0.
  const { line, column } = file.getLineAndColumnAtPos(position);
  const lineStarts = file.compilerNode.getLineStarts();
  const text = file.getFullText();
  const lineText = text.slice(lineStarts[line - 1], lineStarts[line] ?? text.length).replace(/\r?\n$/, '');
  return { file: file.getFilePath(), line, column: column - 1, lineText };
}

export function diagnosticAt(code: DiagnosticCode, message: string, location: SourceLocation): Diagnostic {
  return { code, message, ...location };
}
