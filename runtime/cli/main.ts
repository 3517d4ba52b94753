import { Command, CommanderError } from 'commander';
import { commands } from './commands';
import { TributaryError } from '../../core/errors';
import { parseLogFormat, setLogFormat, type LogFormat } from '../../core/logger';

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
    .option('--log-format <format>', 'log lines as text or json (default: TRIBUTARY_LOG_FORMAT, else text)')
    .exitOverride()
    .showHelpAfterError(false);
  program.hook('preAction', () => {
    const given = program.opts<{ logFormat?: string }>().logFormat ?? process.env.TRIBUTARY_LOG_FORMAT;
    if (given === undefined || given === '') return;
    const format = parseLogFormat(given);
    if (!format) program.error(`tributary: --log-format (or TRIBUTARY_LOG_FORMAT) must be 'text' or 'json', not '${given}'`, { exitCode: 2 });
    setLogFormat(format as LogFormat);
  });
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
