import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import type { CliCommand } from './cli-command';
import { withEnvFileOption } from './env-file';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForProblems } from './error-exit-code';
import { expandTopologyArguments } from './topology-files';
import { junitReporter } from './test-report/junit-reporter';
import { specReporter } from './test-report/spec-reporter';
import { tapReporter } from './test-report/tap-reporter';
import { reporterNames, summarize, type ReporterName, type TestCaseOutcome, type TestFileOutcome, type TestReporter } from './test-report/test-run';

const reporter = (text: string): ReporterName => {
  if (!(reporterNames as readonly string[]).includes(text)) throw new InvalidArgumentError(`--reporter must be one of ${reporterNames.join(', ')}, not '${text}'`);
  return text as ReporterName;
};

const reporters: Record<ReporterName, (write: (text: string) => void) => TestReporter> = { spec: specReporter, tap: tapReporter, junit: junitReporter };

/** Fans each event out to several reporters (the report file and the console's spec). */
const both = (a: TestReporter, b: TestReporter): TestReporter => ({
  plan: (p) => { a.plan(p); b.plan(p); },
  file: (o) => { a.file(o); b.file(o); },
  end: (s) => { a.end(s); b.end(s); },
});

type Loaded = { file: string; topology: CompiledTopology } | TestFileOutcome;

/**
 * `tributary test FILE|DIR...`: runs the `tests:` blocks of topology files in process
 * (test driver, real stores in a temporary directory). Prints the plan, each test and
 * a summary; `--reporter tap|junit` prints TAP 14 or JUnit XML for CI instead, and
 * `--output FILE` writes that report to a file while the console keeps the spec lines.
 * Exit 0 all passed, 1 a test failed or a file is invalid or unreadable, 2 usage, 4 a
 * file is past a limit.
 */
export const testCommand: CliCommand = {
  register(program) {
    withEnvFileOption(program
      .command('test')
      .description("run the 'tests:' blocks of topology files (or of every *.yaml/*.yml under a directory) without Kafka")
      .argument('<paths...>', 'topology files or directories')
      .option('-r, --reporter <name>', `report format: ${reporterNames.join(' | ')} (TAP 14, JUnit XML)`, reporter, 'spec' as ReporterName)
      .option('-o, --output <file>', 'write the report to this file; the console shows the spec report'))
      .action(async (paths: string[], opts: { reporter: ReporterName; output?: string }) => {
        const report: string[] = [];
        const out = opts.output === undefined
          ? reporters[opts.reporter]((t) => process.stdout.write(t))
          : both(reporters[opts.reporter]((t) => report.push(t)), specReporter((t) => process.stdout.write(t)));
        process.exitCode = await runTests(expandTopologyArguments(paths), out);
        if (opts.output !== undefined) {
          try {
            fs.writeFileSync(opts.output, report.join(''));
          } catch (err) {
            process.stderr.write(`tributary test: cannot write '${opts.output}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
            process.exitCode = ExitCode.failed;
          }
        }
      });
  },
};

async function runTests(files: readonly string[], reporter: TestReporter): Promise<number> {
  const started = performance.now();
  // Every file is loaded before the first test runs: the plan counts their tests.
  const loaded: Loaded[] = files.map((file) => {
    try {
      const { topology, problems } = loadTopology(file);
      return topology ? { file, topology } : { file, tests: [], problems };
    } catch (err) {
      if (!(err instanceof TopologyFileError)) throw err;
      return { file, tests: [], unreadable: err.message };
    }
  });
  const runnable = loaded.filter((l): l is { file: string; topology: CompiledTopology } => 'topology' in l);
  reporter.plan({ files: files.length, tests: runnable.reduce((n, l) => n + l.topology.tests.length, 0), brokenFiles: loaded.length - runnable.length });

  // Loaded here, not at the top: the test driver brings the stores (RocksDB) and the processing runtime, which validate and describe do without.
  const { runTopologyTest } = await import('../processing/topology-test-runner');
  const outcomes: TestFileOutcome[] = [];
  for (const l of loaded) {
    let outcome: TestFileOutcome;
    if ('topology' in l) {
      const tests: TestCaseOutcome[] = [];
      for (const test of l.topology.tests) {
        const t0 = performance.now();
        const result = await runTopologyTest(l.topology, test);
        tests.push({ ...result, durationMs: performance.now() - t0 });
      }
      outcome = { file: l.file, tests };
    } else {
      outcome = l;
    }
    outcomes.push(outcome);
    reporter.file(outcome);
  }
  const summary = summarize(outcomes, performance.now() - started);
  reporter.end(summary);
  if (summary.failed === 0 && summary.brokenFiles === 0) return ExitCode.ok;
  return exitCodeForProblems(loaded.flatMap((l) => ('problems' in l ? l.problems ?? [] : [])));
}
