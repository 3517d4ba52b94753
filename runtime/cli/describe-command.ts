import { formatProblem } from '../../topology/lint-problem';
import { describeTopology, type DescribeFormat } from '../../topology/topology-describe';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import type { CliCommand } from './cli-command';

/** `tributary describe FILE [--format text|mermaid|json]`: the compiled graph. */
export const describeCommand: CliCommand = {
  register(program) {
    program
      .command('describe')
      .description('print the compiled graph: sub-topologies, nodes, stores, repartition topics')
      .argument('<file>', 'topology file')
      .option('-f, --format <format>', 'text | mermaid | json', 'text')
      .action((file: string, opts: { format: string }) => {
        if (!['text', 'mermaid', 'json'].includes(opts.format)) {
          process.stderr.write(`tributary describe: unknown format '${opts.format}' (expected text, mermaid or json)\n`);
          process.exitCode = 2;
          return;
        }
        try {
          const { topology, problems } = loadTopology(file);
          if (!topology) {
            for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
            process.exitCode = 1;
            return;
          }
          process.stdout.write(describeTopology(topology, opts.format as DescribeFormat));
        } catch (err) {
          if (!(err instanceof TopologyFileError)) throw err;
          process.stderr.write(`tributary describe: ${err.message}\n`);
          process.exitCode = 2;
        }
      });
  },
};
