/**
 * Why a contract cannot be built, as a stable code. Tools may branch on it; the message is for people.
 * - `service-not-found`: the service module does not exist.
 * - `no-default-export`: the service module has no default export.
 * - `no-contract-class`: the default export is not a class.
 * - `missing-member`: one of the six members is implemented nowhere in the class or its local bases.
 * - `not-a-method`: a member is a getter, a static member, or a property that does not hold a function.
 * - `unsupported-body`: info(), capabilities() or identitySpec() is not a single `return <value>`.
 * - `not-static`: a value the build cannot evaluate without running code (a call, `process.env`, ...).
 * - `unresolved-import`: a relative import that names no file, or a name the file does not export.
 * - `rule-violation`: a value breaks a contract rule (name, semver, capability, identity, ...).
 * - `version-mismatch`: info().version differs from package.json's version.
 * - `bad-package-json`: the service's package.json is missing, not JSON, or has no version.
 * - `deployment-violation`: a manifest field derived from the build options or package.json
 *   (license, image reference, health port, runtime version) breaks its rule.
 * - `unreadable-source`: a file the contract's values come from is not UTF-8, not a regular file,
 *   or larger than the reader's limit.
 * - `over-limit`: the contract goes past one of the reader's documented limits (nesting depth, number
 *   of values or files, number of diagnostics).
 */
export type DiagnosticCode =
  | 'service-not-found'
  | 'no-default-export'
  | 'no-contract-class'
  | 'missing-member'
  | 'not-a-method'
  | 'unsupported-body'
  | 'not-static'
  | 'unresolved-import'
  | 'rule-violation'
  | 'version-mismatch'
  | 'bad-package-json'
  | 'deployment-violation'
  | 'unreadable-source'
  | 'over-limit';

/**
 * One located problem with the contract, in the shape esbuild reports locations. The message says
 * what is wrong; the hint, apart from it (as the CLI's problems and oclif's `suggestions`), what to
 * change, so that each stays one short sentence and a tool can show the remedy on its own.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  /** What is wrong and where it came from: `info().version is process.env.VERSION (src/service.ts:14:23)`. */
  readonly message: string;
  /** What to change, when the message alone does not say: `return a literal or a top-level const`. */
  readonly hint?: string;
  /** Absolute path of the file the problem is in. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 0-based, as esbuild counts. */
  readonly column: number;
  /** The source line, for the bundler to show under the message (cut when very long). */
  readonly lineText: string;
  /** `column` in UTF-8 bytes, as esbuild counts. */
  readonly byteColumn: number;
}

/**
 * `file:line:column: message`, with the column 1-based as editors and terminals count, and the hint
 * on the next line as `  hint: ...`, indented so that the first line stays what editors jump to.
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const located = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column + 1}: ${diagnostic.message}`;
  return diagnostic.hint === undefined ? located : `${located}\n  hint: ${diagnostic.hint}`;
}
