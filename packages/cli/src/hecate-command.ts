import { Command, Errors, ux } from '@oclif/core';

/** The command line itself is wrong: an unknown or missing flag, or a value the command refuses. */
export const EXIT_USAGE = 2;
/** The command ran and failed, or found problems in what it was asked to check. */
export const EXIT_FAILURE = 1;

/** One refused value of the command line, named by its flag (`--name`) or argument (`MANIFEST`). */
export interface UsageProblem {
  readonly flag: string;
  readonly message: string;
}

/** A refused command line: the problems are printed one per line, unwrapped, and it exits 2. */
class UsageError extends Errors.CLIError {
  constructor(
    readonly summary: string,
    readonly problems: readonly UsageProblem[],
  ) {
    super([summary, ...problems.map((problem) => `  ${problem.flag}: ${problem.message}`)].join('\n'), { exit: EXIT_USAGE });
  }
}

type CommandError = Error & { oclif?: { exit?: number } };

/**
 * The base of every hecate-om command: one exit code per kind of outcome whether or not `--json`
 * is given (oclif's JSON error path would exit 1 for a usage error), JSON errors that keep their
 * message, and refusals printed whole rather than wrapped to the terminal's width.
 */
export abstract class HecateCommand extends Command {
  protected override async catch(error: CommandError): Promise<unknown> {
    process.exitCode = error.oclif?.exit ?? EXIT_FAILURE;
    if (error instanceof UsageError && !this.jsonEnabled()) {
      this.logToStderr(`${ux.colorize('red', 'Error:')} ${this.id ?? 'hecate-om'}: ${error.summary}`);
      for (const problem of error.problems) this.logToStderr(`  ${ux.colorize('bold', problem.flag)}: ${problem.message}`);
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
  protected refuse(summary: string, problems: readonly UsageProblem[]): never {
    throw new UsageError(summary, problems);
  }
}
