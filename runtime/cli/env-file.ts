import type { Command } from 'commander';
import { ConfigError } from '../../core/errors';

/**
 * Adds `--env-file FILE` (repeatable) to a command whose topology interpolates
 * `${VAR}`: before the action runs, each file's `NAME=value` lines go into the
 * environment through Node's own parser (`process.loadEnvFile`, the format of
 * `node --env-file`). A variable already set in the environment keeps its value, as
 * with `node --env-file` and dotenv, so a CI secret overrides a checked-in default.
 * An unreadable file is a {@link ConfigError} (exit 1) naming it.
 */
export function withEnvFileOption(command: Command): Command {
  return command
    .option('--env-file <file>', 'read NAME=value lines into the environment first (repeatable; variables already set win)', (file: string, all: string[] = []) => [...all, file])
    .hook('preAction', (_command, action) => {
      for (const file of action.opts<{ envFile?: string[] }>().envFile ?? []) loadEnvFile(file);
    });
}

/** Loads one env file into `process.env` without overriding what is set. */
export function loadEnvFile(file: string): void {
  try {
    process.loadEnvFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : code ? ` (${code})` : `: ${(err as Error).message}`;
    throw new ConfigError(`cannot read env file '${file}'${why}`, undefined, { cause: err });
  }
}
