import { Command, CommanderError } from 'commander';

/**
 * The command line of a bench or fault script, on the library the `tributary` CLI uses
 * (commander): `--help` prints the options with their defaults and exits 0; an unknown
 * option or a bad value prints why and exits 2, as a `tributary` usage error does.
 * `script` is the path users type after `node` (`dist/bench/cel-fast-path.js`).
 */
export function scriptCommand(script: string, description: string): Command {
  return new Command(`node ${script}`).description(description).exitOverride().allowExcessArguments(false);
}

/** Parses `argv` (default: this process's) and returns the options; ends the process on --help or a usage error. */
export function parseScriptOptions<T extends object>(command: Command, argv: readonly string[] = process.argv): T {
  try {
    command.parse([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
  return command.opts<T>();
}
