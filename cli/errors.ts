/**
 * The CLI's two kinds of failure and their exit codes: a usage error (2) is
 * the caller's command line, a failure (1) is what happened when running it.
 * Messages say what was wrong and what to do.
 */

/** Exit codes of `orchest`. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Something went wrong while running a valid command. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code. */
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** The command line itself is wrong: a missing or bad flag or argument. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
