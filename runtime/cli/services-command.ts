import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { CliCommand } from './cli-command';
import { ExitCode } from '../../core/exit-code';

const script = path.join(__dirname, '..', '..', '..', 'deploy', 'local', 'services.sh');

/** What deploy/local/services.sh manages, and what it can do with them. */
export const serviceNames = ['kafka', 'registry'] as const;
export const serviceActions = ['start', 'stop', 'status'] as const;

/**
 * `tributary services start|stop|status [kafka|registry...]`: the local Kafka broker and
 * schema registry. Names are checked here (exit 2 naming the valid ones) before the
 * script runs; the script's own failures (a service that did not start, `status` of one
 * that is not running) exit 3.
 */
export const servicesCommand: CliCommand = {
  register(program) {
    program
      .command('services')
      .description('start, stop or show the local Kafka broker and schema registry (deploy/local)')
      .argument('<action>', serviceActions.join(' | '))
      .argument('[service...]', `${serviceNames.join(' and/or ')} (default: both)`)
      .action((action: string, services: string[]) => {
        if (!(serviceActions as readonly string[]).includes(action)) {
          process.stderr.write(`tributary services: unknown action '${action}' (expected ${serviceActions.join(', ')})\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
        const unknown = services.filter((s) => !(serviceNames as readonly string[]).includes(s));
        if (unknown.length > 0) {
          process.stderr.write(`tributary services: unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `'${s}'`).join(', ')} (valid: ${serviceNames.join(', ')})\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
        const result = spawnSync('bash', [script, action, ...services], { stdio: 'inherit' });
        process.exitCode = result.status === 0 ? ExitCode.ok : result.status === ExitCode.usage ? ExitCode.usage : ExitCode.failed;
      });
  },
};
