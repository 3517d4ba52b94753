import { formatProblem } from '../../topology/lint-problem';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import { runTopologyTests } from '../processing/topology-test-runner';
import type { CliCommand } from './cli-command';

/**
 * `tributary test FILE...`: runs the `tests:` blocks of topology files in
 * process (test driver, real stores in a temporary directory). Exit 0 all
 * passed, 1 a test failed or a file is invalid, 2 a file could not be read.
 */
export const testCommand: CliCommand = {
  register(program) {
    program
      .command('test')
      .description("run the 'tests:' blocks of topology files without Kafka")
      .argument('<files...>', 'topology files')
      .action(async (files: string[]) => {
        let code = 0;
        for (const file of files) {
          try {
            const { topology, problems } = loadTopology(file);
            if (!topology) {
              for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
              code = Math.max(code, 1);
              continue;
            }
            if (topology.tests.length === 0) { process.stdout.write(`${file}: no tests\n`); continue; }
            for (const result of await runTopologyTests(topology)) {
              process.stdout.write(`${result.passed ? 'ok' : 'not ok'} - ${file}:${result.line} ${result.name}\n`);
              for (const m of result.messages) process.stdout.write(`    ${m}\n`);
              if (!result.passed) code = Math.max(code, 1);
            }
          } catch (err) {
            if (!(err instanceof TopologyFileError)) throw err;
            process.stderr.write(`tributary test: ${err.message}\n`);
            code = 2;
          }
        }
        process.exitCode = code;
      });
  },
};
