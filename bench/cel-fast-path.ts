/**
 * CEL fast path: ns/record of a few typical map and filter expressions
 * through the full @bufbuild/cel evaluator (fast path off) and through
 * compileExpression's default (the closure-compiled fast path), on
 * avsc-decoded BenchEvent records as the Avro serde hands them to a step.
 * Both run in this script, interleaved, over the same records; prints the
 * median of the rounds and the ratio full/fast. No services needed.
 *
 *   node dist/bench/cel-fast-path.js [--records 20000] [--rounds 5]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { compileExpression, type CelExpression } from '../operators/cel-expression';
import type { StreamRecord } from '../core/stream-record';
import { formatMachineBanner, machineInfo, REPO_ROOT } from '../test/helpers/machine-info';
import { median } from '../core/percentile';
import { integerOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const EXPRESSIONS = [
  '{"userId": value.userId, "itemId": value.itemId + "-seen", "amount": value.amount, "eventTime": value.eventTime}',
  'value.amount > 500 && value.userId != ""',
  'value.amount * 2 + 1',
  'has(value.itemId) ? value.itemId + "-x" : "none"',
  'timestamp - value.eventTime',
];

const options = scriptCommand('dist/bench/cel-fast-path.js', 'ns/record of typical CEL expressions, full evaluator vs fast path (no services)')
  .option('--records <n>', 'avsc-decoded records per round', integerOption('--records', 1), 20_000)
  .option('--rounds <n>', 'rounds; the median is printed', integerOption('--rounds', 1), 5);

function makeRecords(n: number): StreamRecord[] {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'bench', 'schemas', 'bench-event.avsc'), 'utf8')) as avro.Schema;
  const type = avro.Type.forSchema(schema);
  const records: StreamRecord[] = [];
  for (let i = 0; i < n; i++) {
    const buf = type.toBuffer({ userId: `user-${i % 1000}`, itemId: `item-${i % 5000}`, amount: i % 1000, eventTime: 1_700_000_000_000 + i });
    records.push({ key: `user-${i % 1000}`, value: type.fromBuffer(buf), timestamp: 1_700_000_000_000 + i, headers: {} });
  }
  return records;
}

/** ns per record for one pass; the result is kept so the work cannot be optimised away. */
function pass(expr: CelExpression, records: readonly StreamRecord[], sink: unknown[]): number {
  const started = process.hrtime.bigint();
  for (const r of records) sink[0] = expr.evaluate(r);
  return Number(process.hrtime.bigint() - started) / records.length;
}

function main(): void {
  const { records: n, rounds } = parseScriptOptions<{ records: number; rounds: number }>(options);
  const records = makeRecords(n);
  const sink: unknown[] = [];
  process.stdout.write(`${formatMachineBanner(machineInfo())}\n${n} avsc-decoded BenchEvent records, median of ${rounds} rounds\n\n`);
  const rows: string[] = [];
  for (const source of EXPRESSIONS) {
    const full = compileExpression(source, { fastPath: false });
    const fast = compileExpression(source);
    // Same answers first: a fast wrong answer is no speed-up.
    for (const r of records.slice(0, 100)) {
      if (JSON.stringify(full.evaluate(r)) !== JSON.stringify(fast.evaluate(r))) throw new Error(`fast path differs on ${source}`);
    }
    pass(full, records, sink); pass(fast, records, sink); // warm-up
    const f: number[] = [];
    const q: number[] = [];
    for (let i = 0; i < rounds; i++) {
      f.push(pass(full, records, sink));
      q.push(pass(fast, records, sink));
    }
    const mf = median(f);
    const mq = median(q);
    rows.push(`${mf.toFixed(0).padStart(8)} ${mq.toFixed(0).padStart(8)} ${(mf / mq).toFixed(1).padStart(6)}x  ${source}`);
  }
  // For scale: the first expression written by hand in JS, as the kafkajs baseline of runtime-overhead.ts does.
  const hand: CelExpression = {
    source: 'hand-written JS',
    evaluate: (r) => {
      const v = r.value as Record<string, unknown>;
      return { userId: v.userId, itemId: `${v.itemId as string}-seen`, amount: v.amount, eventTime: v.eventTime };
    },
  };
  pass(hand, records, sink);
  const h = median(Array.from({ length: rounds }, () => pass(hand, records, sink)));
  rows.push(`${''.padStart(8)} ${h.toFixed(0).padStart(8)} ${''.padStart(7)}  (the first expression hand-written in JS)`);
  process.stdout.write(`${'full ns'.padStart(8)} ${'fast ns'.padStart(8)} ${'ratio'.padStart(7)}  expression\n${rows.join('\n')}\n`);
  process.stdout.write(`command: node dist/bench/cel-fast-path.js --records ${n} --rounds ${rounds}\n`);
}

main();
