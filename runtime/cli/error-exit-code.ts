import { CommanderError } from 'commander';
import { ConfigError } from '../../core/errors';
import { ExitCode, type ExitCodeValue } from '../../core/exit-code';

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

