/**
 * Validate time vs graph size: generated topologies of N pipelines, each one
 * filter step, either all reading one source (a fan) or each reading the one
 * before (chains of 400, the chain-depth limit), through `loadTopologyText` (what `tributary validate`
 * runs: parse, check, type, compile). Prints the median of the rounds per
 * size and µs per pipeline, which stays flat when the work is linear. Then
 * hostile files, each in a fresh process so that its peak memory is its own:
 * a 9-level billion-laughs alias bomb (< 1 KB), flow mappings and lists
 * nested 20,000 deep (block mappings 2,000: indentation makes deeper ones
 * past the size limit), and a chain of 20,000 pipelines closed into a cycle;
 * each must end with a positioned problem. No services.
 *
 * `--yaml-parser yaml` parses with the `yaml` library alone (as before the
 * js-yaml fast path, decision 0024), to compare the two on one machine.
 *
 *   node dist/bench/validate-scaling.js [--rounds 3] [--sizes 100,1000,5000,20000] [--no-hostile] [--yaml-parser fast|yaml]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadTopologyText, type LoadOptions } from '../topology/topology-loader';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../test/helpers/machine-info';
import { median } from '../core/percentile';
import { integerOption, listOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { Option } from 'commander';
import { MAX_CHAIN_DEPTH } from '../topology/internal/chain-depth';


/**
 * A topology of `n` pipelines with one filter step each: all reading one source (`fan`), each
 * reading the one before in chains as long as the chain-depth limit allows (`chain`: a valid
 * file of any size), or all `n` in one chain (`deep-chain`: past the limit from step 401).
 */
export function scalingTopology(n: number, shape: 'fan' | 'chain' | 'deep-chain'): string {
  const lines = ['name: scaling', 'sources:', '  src: { topic: src, value: json }', 'pipelines:'];
  const chainLength = shape === 'deep-chain' ? n : MAX_CHAIN_DEPTH;
  for (let i = 0; i < n; i++) {
    const first = shape === 'fan' || i % chainLength === 0;
    const last = shape === 'fan' || i === n - 1 || (i + 1) % chainLength === 0;
    lines.push(`  p${i}:`, `    from: ${first ? 'src' : `p${i - 1}`}`, '    steps:', `      - id: s${i}`, `        filter: { expression: value.x > ${i} }`);
    if (last) lines.push('    to: out');
  }
  lines.push('sinks:', '  out: { topic: out, value: json }');
  return lines.join('\n');
}

/** The hostile files, by name. */
const hostile: Record<string, () => string> = {
  'alias bomb (9 levels, 9^9 nodes)': () => {
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    return `${levels.join('\n')}\nname: *a9\n`;
  },
  'flow mappings nested 20,000 deep': () => `name: x\nsources: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
  'block mappings nested 2,000 deep': () => ['name: x', 'sources:', ...Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`)].join('\n'),
  'flow lists nested 20,000 deep': () => `name: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  'chain of 20,000 pipelines in a cycle': () => scalingTopology(20_000, 'deep-chain').replace('    from: src\n', '    from: p19999\n'),
};

/** Child side: validates one hostile file and prints time, peak memory and the first problem as JSON. */
function runHostile(name: string, yamlParser: LoadOptions['yamlParser']): void {
  const text = hostile[name]!();
  const started = process.hrtime.bigint();
  const { problems } = loadTopologyText(text, path.join(REPO_ROOT, 'bench/topologies/hostile.yaml'), { env: {}, yamlParser });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const first = problems[0];
  console.log(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, bytes: text.length, problems: problems.length, first: first ? `${first.line}:${first.col} ${first.kind} ${first.message.slice(0, 90)}` : null }));
}

function main(): void {
  const { rounds, sizes, hostile: hostileRuns, hostileOnly, yamlParser } = parseScriptOptions<{ rounds: number; sizes: number[]; hostile: boolean; hostileOnly?: string; yamlParser: 'fast' | 'yaml' }>(scriptCommand('dist/bench/validate-scaling.js', 'validate time of generated topologies by size (no services), then of hostile files')
    .option('--rounds <n>', 'rounds per size; the median is printed', integerOption('--rounds', 1), 3)
    .option('--sizes <list>', 'pipelines per generated topology, comma-separated', listOption(integerOption('--sizes', 1)), [100, 1000, 5000, 20000])
    .option('--no-hostile', 'skip the hostile files')
    .option('--hostile-only <name>', 'internal: validate one hostile file in this process')
    .addOption(new Option('--yaml-parser <parser>', "'yaml': the yaml library alone, without the js-yaml fast path").choices(['fast', 'yaml']).default('fast')));
  if (hostileOnly !== undefined) { runHostile(hostileOnly, yamlParser); return; }
  console.log(formatMachineBanner(machineInfo()));
  console.log('shape  pipelines  median ms  µs/pipeline');
  for (const shape of ['fan', 'chain'] as const) {
    for (const n of sizes) {
      const text = scalingTopology(n, shape);
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = process.hrtime.bigint();
        const { problems } = loadTopologyText(text, path.join(REPO_ROOT, 'bench/topologies/scaling.yaml'), { env: {}, yamlParser });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (problems.length > 0) throw new Error(`generated topology is invalid: ${problems[0].message}`);
      }
      const ms = median(times);
      console.log(`${shape.padEnd(6)} ${String(n).padStart(9)}  ${ms.toFixed(0).padStart(9)}  ${(ms * 1000 / n).toFixed(0).padStart(11)}`);
    }
  }
  if (!hostileRuns) return;
  console.log('\nhostile file                               bytes     ms  peak RSS MiB  first problem');
  for (const name of Object.keys(hostile)) {
    const child = spawnSync(process.execPath, [__filename, '--hostile-only', name, '--yaml-parser', yamlParser], { encoding: 'utf8', timeout: 120_000 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    let r: { ms: number; maxRssMiB: number; bytes: number; first: string | null };
    try { r = JSON.parse(line) as typeof r; } catch { console.log(`${name}: no result (exit ${child.status}, ${child.signal ?? ''}) ${child.stderr.slice(0, 300)}`); continue; }
    console.log(`${name.padEnd(40)} ${String(r.bytes).padStart(8)} ${r.ms.toFixed(0).padStart(6)} ${r.maxRssMiB.toFixed(0).padStart(13)}  ${r.first ?? 'none (accepted!)'}`);
  }
}

if (require.main === module) main();
