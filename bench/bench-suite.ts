/**
 * `npm run bench`: runs the benchmarks one after the other, each in its own process with a time
 * bound, then prints one table of every figure from bench/results.json (Kafka Streams ratio
 * and scale, runtime overhead, flagship latency, scoring, restore) with the machine, versions,
 * command and load of each section. A benchmark that fails or times out leaves its older
 * section in place; the table marks every section not measured by this run.
 *
 *   node dist/bench/bench-suite.js [--table-only] [--skip kafka-streams,flagship-latency,scoring,state-restore]
 *
 * Steps and their arguments (chosen so the whole run stays near 12 minutes on 2 cores):
 *   kafka-streams     kafka-streams-vs-tributary.js --records 200000 --keys 100000 --partitions 6
 *   flagship-latency  flagship-latency.js (rates 50, 100, 1,000, 5,000, 20,000 events/s, 20 s measured each)
 *   scoring           scoring-bench.js --quick (3 s per figure)
 *   state-restore     state-restore.js --keys 200000 (the README's 1M-key figure: run it alone)
 * The runtime-overhead section is shown from its last run (`npm run bench:runtime`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { describeSections, summarizeResults, SUMMARY_COLUMNS, type ResultsDocument } from '../test/helpers/bench-summary';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../test/helpers/machine-info';
import { RESULTS_PATH } from '../test/helpers/results-file';
import { formatResultsTable } from '../test/helpers/results-table';
import { choiceOption, listOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

interface Step {
  readonly name: string;
  readonly section: string;
  readonly args: readonly string[];
  readonly timeoutS: number;
}

const STEPS: readonly Step[] = [
  { name: 'kafka-streams', section: 'kafka-streams-vs-tributary', args: ['kafka-streams-vs-tributary.js', '--records', '200000', '--keys', '100000', '--partitions', '6'], timeoutS: 600 },
  { name: 'flagship-latency', section: 'flagship-latency', args: ['flagship-latency.js'], timeoutS: 480 },
  { name: 'scoring', section: 'scoring', args: ['scoring-bench.js', '--quick', '--write-results'], timeoutS: 240 },
  { name: 'state-restore', section: 'state-restore', args: ['state-restore.js', '--keys', '200000'], timeoutS: 360 },
];

/** Runs one step with inherited output; SIGTERM at the bound, SIGKILL 20 s later. Resolves with its outcome. */
function runStep(step: Step): Promise<string> {
  return new Promise((resolve) => {
    const script = join(__dirname, step.args[0]!);
    const child = spawn(process.execPath, [script, ...step.args.slice(1)], { cwd: REPO_ROOT, stdio: 'inherit' });
    let timedOut = false;
    const term = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    }, step.timeoutS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(term);
      resolve(timedOut ? `timed out after ${step.timeoutS} s` : code === 0 ? 'ok' : `failed (exit ${code ?? signal})`);
    });
    child.on('error', (err) => {
      clearTimeout(term);
      resolve(`could not start: ${err.message}`);
    });
  });
}

function readResults(): ResultsDocument {
  try {
    return JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as ResultsDocument;
  } catch {
    return { sections: {} };
  }
}

async function main(): Promise<void> {
  const stepNames = STEPS.map((step) => step.name);
  const { tableOnly, skip: skipped } = parseScriptOptions<{ tableOnly?: boolean; skip: Array<(typeof stepNames)[number]> }>(
    scriptCommand('dist/bench/bench-suite.js', 'runs the benchmarks one after the other (time-bounded), then prints the table of bench/results.json')
      .option('--table-only', 'run nothing; print the table of the last results')
      .option('--skip <steps>', `steps not to run, comma-separated (${stepNames.join(', ')})`, listOption(choiceOption('--skip', stepNames)), []));
  const skip = new Set<string>(skipped);
  const machine = machineInfo();
  const startedAt = machine.at;
  const outcomes: string[] = [];
  const succeeded = new Set<string>();
  if (!tableOnly) {
    for (const step of STEPS) {
      if (skip.has(step.name)) {
        outcomes.push(`${step.name}: skipped`);
        continue;
      }
      console.log(`\n=== ${step.name}: node dist/bench/${step.args.join(' ')} (bound ${step.timeoutS} s)`);
      const t0 = Date.now();
      const outcome = await runStep(step);
      if (outcome === 'ok') succeeded.add(step.section);
      outcomes.push(`${step.name}: ${outcome} in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  }

  const doc = readResults();
  // Fresh: written by a step of this run that succeeded (another process may rewrite a section meanwhile).
  const fresh = (section: string) => succeeded.has(section) && (doc.sections[section]?.machine.at ?? '') >= startedAt;
  const rows = summarizeResults(doc).map((r) => ({ ...r, section: fresh(r.section) ? `${r.section} (this run)` : `${r.section} (${doc.sections[r.section]!.machine.at.slice(0, 16)}Z)` }));
  console.log('\n=== Tributary benchmarks (bench/results.json)');
  console.log(formatMachineBanner(machine));
  console.log(`1-minute load average now: ${Math.round(loadavg()[0]! * 100) / 100} on ${cpus().length} cores (2 shared cores: absolute rates are noisy, compare ratios measured in the same run)`);
  console.log('');
  console.log(formatResultsTable(SUMMARY_COLUMNS, rows));
  console.log('');
  console.log('each section was measured by:');
  for (const line of describeSections(doc)) console.log(`  ${line}`);
  const shown = new Set(summarizeResults(doc).map((r) => r.section));
  const others = Object.keys(doc.sections).filter((name) => !shown.has(name));
  if (others.length) console.log(`other sections in bench/results.json, not in this table: ${others.join(', ')}`);
  if (outcomes.length) {
    console.log('steps of this run:');
    for (const o of outcomes) console.log(`  ${o}`);
  }
  if (outcomes.some((o) => !/: (ok|skipped)/.test(o))) process.exitCode = 1;
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
});
