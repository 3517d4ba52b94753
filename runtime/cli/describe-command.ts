import { InvalidArgumentError } from 'commander';
import { formatProblem } from '../../topology/lint-problem';
import { describeTopology, type DescribeFormat } from '../../topology/topology-describe';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import type { CliCommand } from './cli-command';
import { withEnvFileOption } from './env-file';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForProblems } from './error-exit-code';

const formats: readonly DescribeFormat[] = ['text', 'mermaid', 'json'];
const format = (text: string): DescribeFormat => {
  if (!(formats as readonly string[]).includes(text)) throw new InvalidArgumentError(`unknown format '${text}' (expected text, mermaid or json)`);
  return text as DescribeFormat;
};

/** `tributary describe FILE [--format text|mermaid|json]`: the compiled graph. Exit 0, 1 the file is invalid or unreadable, 2 usage, 4 past a limit. */
export const describeCommand: CliCommand = {
  register(program) {
    withEnvFileOption(program
      .command('describe')
      .description('print the compiled graph: sub-topologies, nodes, stores, repartition topics')
      .argument('<file>', 'topology file')
      .option('-f, --format <format>', 'text | mermaid | json', format, 'text' as DescribeFormat))
      .action((file: string, opts: { format: DescribeFormat }) => {
        try {
          const { topology, problems } = loadTopology(file);
          if (!topology) {
            for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
            process.exitCode = exitCodeForProblems(problems);
            return;
          }
          process.stdout.write(describeTopology(topology, opts.format));
        } catch (err) {
          if (!(err instanceof TopologyFileError)) throw err;
          process.stderr.write(`tributary describe: ${err.message}\n`);
          process.exitCode = ExitCode.invalidInput;
        }
      });
  },
};
