import { CommanderError } from 'commander';
import { ConfigError } from '../../core/errors';
import { ExitCode, type ExitCodeValue } from '../../core/exit-code';
import type { LintProblem } from '../../topology/lint-problem';

/**
 * The exit code of an error that ended a command: usage for the command line's own
 * mistakes, invalid input for a {@link ConfigError} (the topology, an env file, a
 * setting), failed for everything else.
 */
export function exitCodeForError(error: unknown): ExitCodeValue {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (error instanceof ConfigError) return ExitCode.invalidInput;
  return ExitCode.failed;
}


/**
 * The exit code of a topology refused for its problems: past a limit when one of them is a
 * `limit` problem (the file was not checked in full), else invalid input.
 */
export function exitCodeForProblems(problems: readonly LintProblem[]): ExitCodeValue {
  return problems.some((p) => p.kind === 'limit') ? ExitCode.pastLimit : ExitCode.invalidInput;
}
