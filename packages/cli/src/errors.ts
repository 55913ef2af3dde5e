/**
 * Exit codes, so scripts can tell "the call failed" from "NATS is not there" from "you typed it
 * wrong". 78 matches EXIT_CONFIG of the agents and the launcher (sysexits EX_CONFIG).
 */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a service error, a bad reply, a request that breaks its contract. */
  failed: 1,
  /** NATS could not be reached, or refused us. */
  unreachable: 2,
  /** The command line is wrong: unknown option, missing argument, invalid JSON, unknown subject. */
  usage: 64,
  /** The configuration file or environment is invalid. */
  config: 78,
} as const;

/** An error the CLI reports as one message (no stack) and turns into an exit code. */
export class CliError extends Error {
  override readonly name: string = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** The command line itself is wrong; the message says how to write it. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
