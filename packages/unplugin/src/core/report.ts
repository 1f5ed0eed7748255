import { relative } from 'node:path';
import type { Message, PartialMessage } from 'esbuild';
import { formatDiagnostic } from './diagnostic.js';
import type { BuildFailure } from './service-build.js';

const PLUGIN_NAME = 'hecate-om';

/**
 * esbuild messages keep the location, so the terminal shows the source line under each problem,
 * and the hint as a note under it. Files are relative to esbuild's working directory, as in
 * esbuild's own messages, and columns are in UTF-8 bytes, as esbuild counts them (a Diagnostic
 * counts UTF-16 code units, as editors do).
 */
export function esbuildErrorsOf(failure: BuildFailure, workingDir: string): PartialMessage[] {
  if (failure.kind === 'project') return [{ text: failure.error.message, notes: failure.error.hint === undefined ? [] : [{ text: failure.error.hint }] }];
  return failure.diagnostics.map((diagnostic) => ({
    text: diagnostic.message,
    location: {
      file: relative(workingDir, diagnostic.file),
      line: diagnostic.line,
      column: diagnostic.byteColumn,
      lineText: diagnostic.lineText,
    },
    notes: diagnostic.hint === undefined ? [] : [{ text: `hint: ${diagnostic.hint}` }],
  }));
}

/** The build's warnings as esbuild's own messages, each named as this plugin's by pluginName, which esbuild prints (`[plugin hecate-om]`). */
export function esbuildWarningsOf(warnings: readonly string[]): Message[] {
  return warnings.map((text) => ({ id: '', pluginName: PLUGIN_NAME, text, location: null, notes: [], detail: undefined }));
}

/**
 * One message listing every problem as `file:line:column: message`, its hint on the line below:
 * rollup, vite and webpack show the message text, and webpack drops any structured location.
 */
export function failureMessage(failure: BuildFailure): string {
  if (failure.kind === 'project') return `[${PLUGIN_NAME}] ${failure.error.message}${failure.error.hint === undefined ? '' : `\n  hint: ${failure.error.hint}`}`;
  const count = failure.diagnostics.length;
  return [
    `[${PLUGIN_NAME}] the service contract has ${count} problem${count === 1 ? '' : 's'}:`,
    ...failure.diagnostics.flatMap((diagnostic) => formatDiagnostic(diagnostic).split('\n').map((line) => `  ${line}`)),
  ].join('\n');
}

/** An error rollup and vite print with a code frame of the first problem. */
export function failureError(failure: BuildFailure): Error {
  const error = new Error(failureMessage(failure)) as Error & { id?: string; loc?: { file: string; line: number; column: number } };
  // rollup's and vite's CLIs print the stack under the message: the plugin's own frames say nothing
  // about the contract, so the stack is the message alone (the trailing newline is what rollup's
  // CLI strips to print it once).
  error.stack = `${error.name}: ${error.message}\n`;
  if (failure.kind === 'diagnostics' && failure.diagnostics[0] !== undefined) {
    const { file, line, column } = failure.diagnostics[0];
    error.id = file;
    error.loc = { file, line, column };
  }
  return error;
}
