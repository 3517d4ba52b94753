import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { commands } from './commands';
import { TributaryError } from '../../core/errors';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForError } from './error-exit-code';
import { parseLogFormat, setLogFormat, type LogFormat } from '../../core/logger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

/**
 * Entry point of the `tributary` binary. Returns the exit code of the table in
 * {@link ExitCode} (0 done, 1 the input is wrong, 2 usage, 3 the work failed).
 * User errors print one message, never a stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('tributary')
    .description('Stream-processing dataflow for Node.js: YAML topologies of RxJS operators over Kafka')
    .version(version, '-V, --version')
    .option('--log-format <format>', 'log lines as text or json (default: TRIBUTARY_LOG_FORMAT, else text)')
    .addHelpText('after', `
Exit codes (every command): ${ExitCode.ok} done, ${ExitCode.invalidInput} the input is wrong (a file missing or invalid, a test failed),
${ExitCode.usage} usage, ${ExitCode.failed} the work failed (a service unreachable, the application failed),
${ExitCode.pastLimit} a file past a limit (aliases, size, nesting, chain depth), ${ExitCode.interrupted} stopped by a signal.`)
    .exitOverride()
    .showHelpAfterError(false);
  program.hook('preAction', () => {
    const given = program.opts<{ logFormat?: string }>().logFormat ?? process.env.TRIBUTARY_LOG_FORMAT;
    if (given === undefined || given === '') return;
    const format = parseLogFormat(given);
    if (!format) program.error(`tributary: --log-format (or TRIBUTARY_LOG_FORMAT) must be 'text' or 'json', not '${given}'`, { exitCode: ExitCode.usage });
    setLogFormat(format as LogFormat);
  });
  for (const command of commands) command.register(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    // Commander printed its own usage errors (and --help, --version); one raised by an action it did not.
    if (err instanceof InvalidArgumentError) process.stderr.write(`tributary: ${err.message}\n`);
    else if (err instanceof CommanderError) return exitCodeForError(err);
    else if (err instanceof TributaryError) process.stderr.write(`tributary: ${err.message}\n`);
    else throw err;
    return exitCodeForError(err);
  }
}
