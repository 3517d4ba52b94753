/**
 * Where validating a large topology goes, by the libraries it rests on: the
 * 20,000-pipeline file of validate-scaling.ts: one chain closed into a cycle
 * (refused: the cycle, and the chain-depth limit), or with --chain the valid
 * chains of 400, parsed by `yaml` alone and by the js-yaml fast path
 * (yaml-fast-parser.ts), its 20,000 filter expressions parsed by
 * `@bufbuild/cel` alone, and the whole `loadTopologyText` with each parser.
 * Prints CPU and wall ms of each (CPU time is steadier than wall time on a
 * shared machine). No services.
 *
 *   node dist/bench/validate-phases.js [--pipelines 20000] [--chain]
 */
import * as path from 'node:path';
import { parse as parseCel } from '@bufbuild/cel';
import { LineCounter, parseDocument } from 'yaml';
import { loadTopologyText } from '../topology/topology-loader';
import { parseYamlFast } from '../topology/internal/yaml-fast-parser';
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
  const { pipelines: n, chain } = parseScriptOptions<{ pipelines: number; chain: boolean }>(scriptCommand('dist/bench/validate-phases.js', 'validate time of a large chain or cycle file by phase (no services)')
    .option('--pipelines <n>', 'pipelines in the chain', integerOption('--pipelines', 2), 20_000)
    .option('--chain', 'leave the chain open (a valid file) instead of closing it into a cycle', false));
  const open = scalingTopology(n, chain ? 'chain' : 'deep-chain');
  const text = chain ? open : open.replace('    from: src\n', `    from: p${n - 1}\n`);
  const file = path.join(REPO_ROOT, 'bench/topologies/hostile.yaml');
  console.log(formatMachineBanner(machineInfo()));
  console.log(`${'phase'.padEnd(44)} ${'cpu ms'.padStart(7)} ${'wall ms'.padStart(7)}`);
  measure(`yaml parseDocument (${(text.length / 1e6).toFixed(1)} MB)`, () => { parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false }); });
  measure('js-yaml fast path (yaml nodes built)', () => { if (!parseYamlFast(text)) throw new Error('the fast path left the file to yaml'); });
  measure(`@bufbuild/cel parse x ${n}`, () => { for (let i = 0; i < n; i++) parseCel(`value.x > ${i}`); });
  for (const yamlParser of ['fast', 'yaml'] as const) {
    measure(`loadTopologyText (whole validate, ${yamlParser})`, () => {
      const { problems } = loadTopologyText(text, file, { env: {}, yamlParser });
      const expected = chain ? undefined : 'cycle';
      if (problems[0]?.kind !== expected) throw new Error(`expected ${expected ?? 'no'} problem, got ${problems[0]?.kind ?? 'none'}`);
    });
  }
}

if (require.main === module) main();
