/**
 * Where validating a large topology goes, by the libraries it rests on: the
 * 20,000-pipeline cycle file of validate-scaling.ts parsed by `yaml` alone,
 * its 20,000 filter expressions parsed by `@bufbuild/cel` alone, and the
 * whole `loadTopologyText`. Prints CPU and wall ms of each (CPU time is
 * steadier than wall time on a shared machine). No services.
 *
 *   node dist/bench/validate-phases.js [--pipelines 20000]
 */
import * as path from 'node:path';
import { parse as parseCel } from '@bufbuild/cel';
import { LineCounter, parseDocument } from 'yaml';
import { loadTopologyText } from '../topology/topology-loader';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../test/helpers/machine-info';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { scalingTopology } from './validate-scaling';

function measure(label: string, run: () => void): void {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  run();
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(44)} ${((used.user + used.system) / 1000).toFixed(0).padStart(7)} ${wall.toFixed(0).padStart(7)}`);
}

function main(): void {
  const { pipelines: n } = parseScriptOptions<{ pipelines: number }>(scriptCommand('dist/bench/validate-phases.js', 'validate time of a large cycle file by phase (no services)')
    .option('--pipelines <n>', 'pipelines in the chain closed into a cycle', integerOption('--pipelines', 2), 20_000));
  const text = scalingTopology(n, 'chain').replace('    from: src\n', `    from: p${n - 1}\n`);
  console.log(formatMachineBanner(machineInfo()));
  console.log(`${'phase'.padEnd(44)} ${'cpu ms'.padStart(7)} ${'wall ms'.padStart(7)}`);
  measure(`yaml parseDocument (${(text.length / 1e6).toFixed(1)} MB)`, () => { parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false }); });
  measure(`@bufbuild/cel parse x ${n}`, () => { for (let i = 0; i < n; i++) parseCel(`value.x > ${i}`); });
  measure('loadTopologyText (whole validate)', () => {
    const { problems } = loadTopologyText(text, path.join(REPO_ROOT, 'bench/topologies/hostile.yaml'), { env: {} });
    if (problems[0]?.kind !== 'cycle') throw new Error(`expected a cycle problem, got ${problems[0]?.kind ?? 'none'}`);
  });
}

if (require.main === module) main();
