/**
 * The exit codes of every `tributary` command, the table of docs/operations.md#exit-codes. It
 * lives in core so the commands of examples/ (below the CLI in the layers) follow it too.
 * A script can tell "fix the file" (1) from "fix the command line" (2) from "fix the
 * environment, then try again" (3) without reading the output.
 */
export const ExitCode = {
  /** Done: the files are valid, the tests passed, the run stopped cleanly. */
  ok: 0,
  /** The input is wrong: a topology or env file is missing, unreadable or invalid; a topology test failed. */
  invalidInput: 1,
  /** The command line is wrong: an unknown command, option or service name, a missing argument, a bad option value. */
  usage: 2,
  /** The input was fine but the work failed: Kafka, the registry or an endpoint unreachable, the application stopped with an error, services did not start, a reset refused or not confirmed. */
  failed: 3,
  /**
   * The input is past a resource limit and was refused before it was checked in full: YAML
   * aliases that expand too far, a file too large or nested too deep, a chain of steps too long
   * to run. A service that validates files others submit can tell a hostile file from a mistake.
   */
  pastLimit: 4,
  /** Stopped by a signal before done: a second SIGINT/SIGTERM to `run`, a SIGINT to `generate` (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

