/**
 * Validate time vs graph size: generated topologies of N pipelines, each one
 * filter step, either all reading one source (a fan) or each reading the one
 * before (a chain), through `loadTopologyText` (what `tributary validate`
 * runs: parse, check, compile). Prints the median of the rounds per size and
 * µs per pipeline, which stays flat when the work is linear. No services.
 *
 *   node dist/bench/validate-scaling.js [--rounds 3] [--sizes 100,1000,5000,20000]
 */
import * as path from 'node:path';
import { loadTopologyText } from '../topology/topology-loader';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../test/helpers/machine-info';
import { median } from '../core/percentile';
import { integerOption, listOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';


/** A topology of `n` pipelines in the given shape. */
export function scalingTopology(n: number, shape: 'fan' | 'chain'): string {
  const lines = ['name: scaling', 'sources:', '  src: { topic: src, value: json }', 'pipelines:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  p${i}:`, `    from: ${shape === 'fan' || i === 0 ? 'src' : `p${i - 1}`}`, '    steps:', `      - id: s${i}`, `        filter: { expression: value.x > ${i} }`);
    if (shape === 'fan' || i === n - 1) lines.push('    to: out');
  }
  lines.push('sinks:', '  out: { topic: out, value: json }');
  return lines.join('\n');
}

function main(): void {
  const { rounds, sizes } = parseScriptOptions<{ rounds: number; sizes: number[] }>(scriptCommand('dist/bench/validate-scaling.js', 'validate time of generated topologies by size (no services)')
    .option('--rounds <n>', 'rounds per size; the median is printed', integerOption('--rounds', 1), 3)
    .option('--sizes <list>', 'pipelines per generated topology, comma-separated', listOption(integerOption('--sizes', 1)), [100, 1000, 5000, 20000]));
  console.log(formatMachineBanner(machineInfo()));
  console.log('shape  pipelines  median ms  µs/pipeline');
  for (const shape of ['fan', 'chain'] as const) {
    for (const n of sizes) {
      const text = scalingTopology(n, shape);
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = process.hrtime.bigint();
        const { problems } = loadTopologyText(text, path.join(REPO_ROOT, 'bench/topologies/scaling.yaml'), { env: {} });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (problems.length > 0) throw new Error(`generated topology is invalid: ${problems[0].message}`);
      }
      const ms = median(times);
      console.log(`${shape.padEnd(6)} ${String(n).padStart(9)}  ${ms.toFixed(0).padStart(9)}  ${(ms * 1000 / n).toFixed(0).padStart(11)}`);
    }
  }
}

if (require.main === module) main();
