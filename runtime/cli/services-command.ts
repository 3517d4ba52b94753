import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { CliCommand } from './cli-command';

const script = path.join(__dirname, '..', '..', '..', 'deploy', 'local', 'services.sh');

/** `tributary services start|stop|status`: the local Kafka broker and schema registry. */
export const servicesCommand: CliCommand = {
  register(program) {
    program
      .command('services')
      .description('start, stop or show the local Kafka broker and schema registry (deploy/local)')
      .argument('<action>', 'start | stop | status')
      .argument('[service...]', 'kafka and/or registry (default: both)')
      .action((action: string, services: string[]) => {
        if (!['start', 'stop', 'status'].includes(action)) {
          process.stderr.write(`tributary services: unknown action '${action}' (expected start, stop or status)\n`);
          process.exitCode = 2;
          return;
        }
        const result = spawnSync('bash', [script, action, ...services], { stdio: 'inherit' });
        process.exitCode = result.status ?? 1;
      });
  },
};
