import { writeFileSync } from 'node:fs';
import { operatorDocs } from '../../topology/operator-docs';
import type { CliCommand } from './cli-command';

/** `tributary docs [--out FILE]`: the language reference and every built-in operator, from their specs. */
export const docsCommand: CliCommand = {
  register(program) {
    program
      .command('docs')
      .description('print (or write) the topology language and operator reference as markdown')
      .option('-o, --out <file>', 'write to this file instead of stdout')
      .action((opts: { out?: string }) => {
        const text = operatorDocs();
        if (!opts.out) { process.stdout.write(text); return; }
        try {
          writeFileSync(opts.out, text);
        } catch (err) {
          process.stderr.write(`tributary docs: cannot write '${opts.out}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
          process.exitCode = 2;
        }
      });
  },
};
