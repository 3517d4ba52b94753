/**
 * Cost of tracing in the task pipeline, in process (no Kafka): records/s of
 * a three-step stateless sub-topology (filter → map → filter) pushed through
 * `TaskPipeline` in batches, in three modes taken round-robin in the same
 * script, and their ratios to the first:
 *
 *   off         no batch span (telemetry off: `--no-metrics`)
 *   batch span  the batch span active, stage spans off (telemetry on, no exporter: the default)
 *   stage spans the batch span with stage spans (an exporter is set): a span per step
 *               per batch, plus four stage spans per batch, handed to a span processor
 *
 *   node dist/bench/telemetry-stage-spans.js [--batches 300] [--batch 500] [--rounds 5]
 */
import * as path from 'node:path';
import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadTopologyText, type CompiledTopology } from '../topology';
import { TaskPipeline } from '../runtime/processing/task-pipeline';
import { startTelemetry } from '../runtime/telemetry/start-telemetry';
import { batchSpan } from '../runtime/telemetry/batch-span';
import { inStageSpan, withStageSpans } from '../runtime/telemetry/stage-span';
import type { StreamRecord } from '../core/stream-record';
import { formatMachineBanner, machineInfo, REPO_ROOT } from './harness';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';
import { median } from '../core/percentile';

const options = scriptCommand('dist/bench/telemetry-stage-spans.js', 'cost of per-stage spans on a batch (no services)')
  .option('--batches <n>', 'batches per round', integerOption('--batches', 1), 300)
  .option('--batch <n>', 'records per batch', integerOption('--batch', 1), 500)
  .option('--rounds <n>', 'rounds; the median is printed', integerOption('--rounds', 1), 5);
const opts = parseScriptOptions<{ batches: number; batch: number; rounds: number }>(options);

const TOPOLOGY = `name: trace-bench
sources:
  lines: {topic: lines, key: string, value: json}
pipelines:
  pass:
    from: lines
    steps:
      - id: non-empty
        filter: {expression: size(value.text) > 0}
      - id: shape
        map: {value: '{"text": value.text, "n": value.n + 1}'}
      - id: even
        filter: {expression: int(value.n) % 2 == 0}  # JSON numbers are doubles: % needs ints
    to: out
sinks:
  out: {topic: out, key: string, value: json}
`;

type Mode = 'off' | 'batch span' | 'stage spans';

async function main(): Promise<void> {
  const batches = opts.batches;
  const size = opts.batch;
  const rounds = opts.rounds;
  const { topology, problems } = loadTopologyText(TOPOLOGY, path.join(REPO_ROOT, 'bench/topologies/trace-bench.yaml'), { env: {} });
  if (!topology) throw new Error(problems.map((p) => p.message).join('; '));
  const exporter = new InMemorySpanExporter();
  // A batching processor, as an OTLP exporter would use: spans are queued, not exported inline.
  const telemetry = await startTelemetry({ serviceName: 'trace-bench', prometheus: false, otlp: false, spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000 })] });
  const pipeline = new TaskPipeline(topology as CompiledTopology, (topology as CompiledTopology).subTopologies[0], { taskId: '0_0' });
  const records: StreamRecord[] = Array.from({ length: size }, (_, i) => ({ key: `k${i % 97}`, value: { text: `line ${i}`, n: i }, timestamp: 1_700_000_000_000 + i, headers: {} }));

  const oneBatch = async (mode: Mode): Promise<void> => {
    if (mode === 'off') {
      await context.with(ROOT_CONTEXT, () => pipeline.process('lines', records));
      return;
    }
    const span = batchSpan(telemetry.tracer, { taskId: '0_0', topic: 'lines', partition: 0 }, records);
    const ctx: Context = mode === 'stage spans' ? withStageSpans(span.context) : span.context;
    await context.with(ctx, async () => {
      // The stages StreamTask wraps around the pipeline, here around no work.
      await inStageSpan('deserialize', () => undefined);
      await pipeline.process('lines', records);
      await inStageSpan('serialize', () => undefined);
      await inStageSpan('store flush', () => undefined);
      await inStageSpan('commit', () => undefined);
    });
    span.end();
  };

  const modes: Mode[] = ['off', 'batch span', 'stage spans'];
  const rates = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  for (let i = 0; i < 20; i++) for (const m of modes) await oneBatch(m); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const started = process.hrtime.bigint();
      for (let b = 0; b < batches; b++) await oneBatch(mode);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      rates.get(mode)!.push((batches * size) / seconds);
      exporter.reset();
    }
  }
  await telemetry.shutdown();

  const base = median(rates.get('off')!);
  process.stdout.write(`${formatMachineBanner(machineInfo())}\n`);
  process.stdout.write(`TaskPipeline, 3 steps, ${batches} batches of ${size} records per run, median of ${rounds} rounds (modes interleaved)\n`);
  for (const mode of modes) {
    const m = median(rates.get(mode)!);
    process.stdout.write(`${mode.padEnd(12)} ${Math.round(m).toLocaleString('en-US').padStart(10)} records/s   ratio to off ${(m / base).toFixed(3)}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
