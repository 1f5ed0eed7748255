import { Command, Errors, toConfiguredId, ux } from '@oclif/core';

/** The command line itself is wrong: an unknown or missing flag, or a value the command refuses. */
export const EXIT_USAGE = 2;
/** The command ran and failed, or found problems in what it was asked to check. */
export const EXIT_FAILURE = 1;

/**
 * One refused value of the command line, named by its flag (`--name`) or argument (`MANIFEST`):
 * what is wrong, and apart from it what to do (as oclif's `suggestions`), so that the message stays
 * short and a tool can show the remedy on its own.
 */
export interface Problem {
  readonly flag: string;
  readonly message: string;
  readonly hint?: string;
}

/** `1 problem`, `3 syntax errors`: every count a command prints. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A refused command line: the problems are printed one per line, unwrapped, and it exits 2. */
class UsageError extends Errors.CLIError {
  constructor(
    readonly summary: string,
    readonly problems: readonly Problem[],
  ) {
    super([summary, ...problems.map((problem) => `  ${problem.flag}: ${problem.message}`)].join('\n'), { exit: EXIT_USAGE });
  }
}

type CommandError = Error & { oclif?: { exit?: number } };

/**
 * The base of every hecate-om command: one exit code per kind of outcome whether or not `--json`
 * is given (oclif's JSON error path would exit 1 for a usage error), JSON errors that keep their
 * message, and refusals printed whole rather than wrapped to the terminal's width. A command fails
 * in one of two ways: `refuse()` a command line it cannot run (exit 2), or `fail()` with what it
 * found (exit 1).
 */
export abstract class HecateCommand extends Command {
  protected override async catch(error: CommandError): Promise<unknown> {
    process.exitCode = error.oclif?.exit ?? EXIT_FAILURE;
    if (error instanceof UsageError && !this.jsonEnabled()) {
      this.logToStderr(`${ux.colorize('red', 'Error:')} ${this.id === undefined ? 'hecate-om' : toConfiguredId(this.id, this.config)}: ${error.summary}`);
      for (const problem of error.problems) {
        this.logToStderr(`  ${ux.colorize('bold', problem.flag)}: ${problem.message}`);
        if (problem.hint !== undefined) this.logToStderr(`    ${ux.colorize('dim', 'hint:')} ${problem.hint}`);
      }
      return undefined;
    }
    return super.catch(error);
  }

  protected override toErrorJson(error: CommandError): unknown {
    return {
      error: {
        message: error.message,
        exitCode: error.oclif?.exit ?? EXIT_FAILURE,
        ...(error instanceof UsageError ? { problems: error.problems } : {}),
      },
    };
  }

  /** Refuses the command line: every problem on its own line, exit code 2. */
  protected refuse(summary: string, problems: readonly Problem[]): never {
    throw new UsageError(summary, problems);
  }

  /**
   * Reports what the command found wrong: each finding on its own line (`file:line:column: message`,
   * paths relative to where the user is, so terminals and editors open them), then the summary in
   * red; exit code 1. Returns `report`, which `--json` prints.
   */
  protected fail<Report>(findings: readonly string[], summary: string, report: Report): Report {
    for (const finding of findings) this.log(finding);
    this.log(ux.colorize('red', summary));
    process.exitCode = EXIT_FAILURE;
    return report;
  }
}
