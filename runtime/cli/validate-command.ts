import { formatProblem } from '../../topology/lint-problem';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import type { CliCommand } from './cli-command';

/**
 * `tributary validate FILE...`: every problem of every file, one line each
 * (`FILE:LINE:COL kind message`). Exit 0 all valid, 1 some invalid, 2 a file
 * could not be read.
 */
export const validateCommand: CliCommand = {
  register(program) {
    program
      .command('validate')
      .description('check topology files and report every problem as FILE:LINE:COL kind message')
      .argument('<files...>', 'topology files')
      .option('-q, --quiet', 'print nothing for valid files')
      .option('--skip-env-var-check', 'for CI without the secrets: a ${VAR} without a value is no problem, nor is anything found in a value that holds one')
      .action((files: string[], opts: { quiet?: boolean; skipEnvVarCheck?: boolean }) => {
        let code = 0;
        for (const file of files) {
          try {
            const { problems } = loadTopology(file, { skipEnvCheck: opts.skipEnvVarCheck === true });
            for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
            if (problems.length > 0) code = Math.max(code, 1);
            else if (!opts.quiet) process.stdout.write(`${file}: valid\n`);
          } catch (err) {
            if (!(err instanceof TopologyFileError)) throw err;
            process.stderr.write(`tributary validate: ${err.message}\n`);
            code = 2;
          }
        }
        process.exitCode = code;
      });
  },
};
