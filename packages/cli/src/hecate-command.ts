import { Command, Errors } from '@oclif/core';

/** The command line itself is wrong: an unknown or missing flag, or a value the command refuses. */
export const EXIT_USAGE = 2;
/** The command ran and failed, or found problems in what it was asked to check. */
export const EXIT_FAILURE = 1;

type CommandError = Error & { oclif?: { exit?: number }; problems?: unknown };

/**
 * The base of every hecate-om command: one exit code per kind of outcome, whether or not `--json`
 * is given (oclif's own JSON error path would exit 1 for a usage error), and JSON errors that keep
 * their message.
 */
export abstract class HecateCommand extends Command {
  protected override async catch(error: CommandError): Promise<unknown> {
    process.exitCode = error.oclif?.exit ?? EXIT_FAILURE;
    return super.catch(error);
  }

  protected override toErrorJson(error: CommandError): unknown {
    return {
      error: {
        message: error.message,
        exitCode: error.oclif?.exit ?? EXIT_FAILURE,
        ...(error.problems === undefined ? {} : { problems: error.problems }),
      },
    };
  }

  /** Refuses the command line: every problem on its own line, exit code 2. */
  protected refuse(summary: string, problems: readonly { flag: string; message: string }[]): never {
    const error = new Errors.CLIError(
      [summary, ...problems.map((problem) => `  ${problem.flag}: ${problem.message}`)].join('\n'),
      { exit: EXIT_USAGE },
    ) as CommandError;
    error.problems = problems;
    throw error;
  }
}
