/**
 * The chain-depth limit (topology/internal/chain-depth.ts) is one the runtime
 * can run: a topology whose chain of steps is exactly MAX_CHAIN_DEPTH long
 * (filters and maps in turn, over 200 chained pipelines) runs under
 * `tributary run` on the real broker and delivers every record.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { cleanedUp, startTributary } from '../../helpers/tributary-process';
import { MAX_CHAIN_DEPTH } from '../../../topology/internal/chain-depth';

/** MAX_CHAIN_DEPTH steps over MAX_CHAIN_DEPTH / 2 pipelines: a filter and a map in each. */
function deepestTopology(): string {
  const lines = [
    'name: ${APP}', 'kafka: { brokers: [127.0.0.1:9092] }', 'processing: { stateDir: "${STATE_DIR}" }',
    'sources:', '  in: { topic: "${INPUT}", key: string, value: json }', 'pipelines:',
  ];
  const pipelines = MAX_CHAIN_DEPTH / 2;
  for (let i = 0; i < pipelines; i++) {
    lines.push(`  p${i}:`, `    from: ${i === 0 ? 'in' : `p${i - 1}`}`, '    steps:',
      `      - { id: f${i}, filter: { expression: value.n >= 0 } }`,
      `      - { id: m${i}, map: { value: '{"n": value.n, "hops": value.hops + 1}' } }`);
  }
  lines.push('    to: out', 'sinks:', '  out: { topic: "${OUTPUT}", key: string, value: json }');
  return lines.join('\n');
}

describe('a chain of steps at the depth limit runs (tributary run)', function () {
  this.timeout(180_000);
  const kafka = testKafka();
  const { processes, dirs } = cleanedUp();
  before(requireKafka);

  it(`passes every record through ${MAX_CHAIN_DEPTH} steps in a row`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-chain-'));
    dirs.push(dir);
    const file = path.join(dir, 'deepest.yaml');
    fs.writeFileSync(file, deepestTopology());
    const env = { APP: `chain-${randomUUID().slice(0, 8)}`, STATE_DIR: path.join(dir, 'state'), INPUT: randomTopic('chain-in'), OUTPUT: randomTopic('chain-out') };
    await createTopics(kafka, [{ topic: env.INPUT, partitions: 2 }, { topic: env.OUTPUT, partitions: 1 }]);
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    await producer.send({ topic: env.INPUT, messages: Array.from({ length: 50 }, (_, n) => ({ key: `k${n}`, value: JSON.stringify({ n, hops: 0 }) })) });
    await producer.disconnect();

    const proc = startTributary(['run', file, '--no-metrics'], env);
    processes.push(proc);
    await proc.waitFor(/application started/);
    const out = await consumeMessages(kafka, env.OUTPUT, 50, { timeoutMs: 90_000 });
    assert.equal(out.length, 50, `every record out; app output:\n${proc.output().slice(-3000)}`);
    const values = out.map((m) => JSON.parse(String(m.message.value)) as { n: number; hops: number });
    assert.deepEqual(values.map((v) => v.n).sort((a, b) => a - b), Array.from({ length: 50 }, (_, n) => n));
    assert.ok(values.every((v) => v.hops === MAX_CHAIN_DEPTH / 2), 'each record passed every map');
    assert.doesNotMatch(proc.output(), /Maximum call stack/);
  });
});
