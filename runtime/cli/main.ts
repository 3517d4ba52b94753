import { Command, CommanderError } from 'commander';
import { commands } from './commands';
import { TributaryError } from '../../core/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

/**
 * Entry point of the `tributary` binary. Returns the exit code: 0 success,
 * 1 the command failed (invalid topology, failed run), 2 usage error.
 * User errors print one message, never a stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('tributary')
    .description('Stream-processing dataflow for Node.js: YAML topologies of RxJS operators over Kafka')
    .version(version, '-V, --version')
    .exitOverride()
    .showHelpAfterError(false);
  for (const command of commands) command.register(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes with 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof TributaryError) {
      process.stderr.write(`tributary: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
