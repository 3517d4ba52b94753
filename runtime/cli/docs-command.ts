import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../../core/exit-code';
import type { CliCommand } from './cli-command';

function write(file: string, text: string): boolean {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return true;
  } catch (err) {
    process.stderr.write(`tributary docs: cannot write '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    process.exitCode = ExitCode.failed;
    return false;
  }
}

/**
 * `tributary docs [--out FILE]`: the language reference and every built-in operator, from their specs.
 * `tributary docs --write DIR`: the generated pages of docs/ (operators, topology settings, metrics).
 */
export const docsCommand: CliCommand = {
  register(program) {
    program
      .command('docs')
      .description('print (or write) the topology language and operator reference as markdown; --write DIR regenerates the generated pages of docs/')
      .option('-o, --out <file>', 'write to this file instead of stdout')
      .option('-w, --write <dir>', 'write the generated pages (operators.md, language-reference.md, tributary.schema.json, metrics.md) into this folder')
      .action(async (opts: { out?: string; write?: string }) => {
        // Loaded here, not at the top: the metrics page reads TypeScript sources with the compiler, which no other command needs.
        const { docPages } = await import('./doc-pages');
        const { operatorDocs } = await import('../../topology/operator-docs');
        if (opts.write) {
          for (const page of docPages()) {
            const file = path.join(opts.write, page.file);
            if (write(file, page.text)) process.stdout.write(`wrote ${file}\n`);
          }
          return;
        }
        const text = operatorDocs();
        if (!opts.out) { process.stdout.write(text); return; }
        write(opts.out, text);
      });
  },
};
