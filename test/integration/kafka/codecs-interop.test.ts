/**
 * Every Kafka codec on the real broker, both ways, against an independent client
 * (Python's confluent-kafka, i.e. librdkafka): records it produces with
 * compression.type gzip, snappy, lz4 and zstd are counted by a `tributary run` of
 * the word count (examples/word-count.yaml), which writes its repartition,
 * changelog and output topics with the same codec; the Python consumer reads the
 * counts back, and the batches Tributary wrote are checked to carry that codec.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { consumeMessages, createTopics, KAFKA_BROKERS, randomTopic, requireKafka, testKafka } from '../../helpers/services';
import { expectedWordCounts } from '../../helpers/word-totals';
import { startTributary } from '../../helpers/tributary-process';

const repo = path.join(__dirname, '..', '..', '..', '..');
const script = path.join(repo, 'test', 'integration', 'kafka', 'codec_client.py');
const python = process.env.TRIBUTARY_E2E_PYTHON ?? path.join(repo, 'test', 'e2e', '.venv', 'bin', 'python');

const CODECS = [
  { name: 'gzip', type: CompressionTypes.GZIP },
  { name: 'snappy', type: CompressionTypes.Snappy },
  { name: 'lz4', type: CompressionTypes.LZ4 },
  { name: 'zstd', type: CompressionTypes.ZSTD },
] as const;

const WORDS = ['the', 'cat', 'dog', 'river', 'delta', 'kafka', 'stream', 'pin', 'save', 'feed', 'home', 'lz', 'snap', 'zed'];

function lines(count: number, seed: number): string[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: count }, () => Array.from({ length: 3 + (next() % 6) }, () => WORDS[next() % WORDS.length]).join(' '));
}

function runPython(args: readonly string[], timeoutMs: number): string {
  const run = spawnSync(python, [script, ...args], { encoding: 'utf8', timeout: timeoutMs });
  assert.equal(run.status, 0, `python ${args[0]} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** examples/word-count.yaml on this run's topics and app name, with `codec` for everything it produces. */
function wordCountTopology(dir: string, app: string, input: string, output: string, codec: string): string {
  const text = fs.readFileSync(path.join(repo, 'examples', 'word-count.yaml'), 'utf8')
    .replace(/^name: word-count$/m, `name: ${app}`)
    .replace('  commitInterval: 1s', `  commitInterval: 1s\n  compression: ${codec}`)
    .replace('topic: text-lines', `topic: ${input}`)
    .replace('topic: word-counts', `topic: ${output}\n    compression: ${codec}`)
    .replace('./operators/count-by-key.ts', path.join(repo, 'examples', 'operators', 'count-by-key.ts'))
    .replace(/\ntests:[\s\S]*$/, '\n');
  const file = path.join(dir, `${app}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** Counts the batches of each codec kafkajs decompresses while `read` runs (in this process). */
async function countDecompressions<T>(read: () => Promise<T>): Promise<Map<number, number>> {
  const table = CompressionCodecs as unknown as Record<number, () => { compress: unknown; decompress(b: Buffer): Promise<Buffer> }>;
  const saved = new Map(CODECS.map((c) => [c.type, table[c.type]] as const));
  const calls = new Map<number, number>();
  for (const [type, factory] of saved) {
    table[type] = () => {
      const codec = factory();
      return { ...codec, decompress: (b: Buffer) => (calls.set(type, (calls.get(type) ?? 0) + 1), codec.decompress(b)) };
    };
  }
  try {
    await read();
  } finally {
    for (const [type, factory] of saved) table[type] = factory;
  }
  return calls;
}

describe('every codec against an independent client (Python confluent-kafka) and tributary run', function () {
  this.timeout(240_000);
  const kafka = testKafka('codecs-interop');

  before(async () => {
    await requireKafka();
    assert.ok(fs.existsSync(python), `no Python client at ${python}: run \`bash test/e2e/setup-venv.sh\``);
  });

  for (const codec of CODECS) {
    it(`${codec.name}: tributary counts what librdkafka wrote, writes ${codec.name} itself, and librdkafka reads it back`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `codec-${codec.name}-`));
      const app = `codec-wc-${codec.name}-${randomUUID().slice(0, 8)}`;
      const input = randomTopic(`codec-in-${codec.name}`);
      const output = randomTopic(`codec-out-${codec.name}`);
      await createTopics(kafka, [{ topic: input, partitions: 2 }]);
      const text = lines(400, codec.type + 7);
      const linesFile = path.join(dir, 'lines.txt');
      fs.writeFileSync(linesFile, `${text.join('\n')}\n`);
      runPython(['produce', KAFKA_BROKERS.join(','), input, codec.name, linesFile], 60_000);

      // What the Python client wrote really is in that codec.
      const inputBatches = await countDecompressions(() => consumeMessages(kafka, input, text.length, { timeoutMs: 30_000 }));
      assert.ok((inputBatches.get(codec.type) ?? 0) > 0, `input batches by codec: ${[...inputBatches]}`);

      const tributary = startTributary(['run', wordCountTopology(dir, app, input, output, codec.name), '--no-metrics'], { STATE_DIR: path.join(dir, 'state') });
      try {
        await tributary.waitFor(/application started/, 60_000);
        const expected = Object.fromEntries(expectedWordCounts(text.map((l) => l.toLowerCase())));
        const expectedFile = path.join(dir, 'expected.json');
        fs.writeFileSync(expectedFile, JSON.stringify(expected));
        const read = JSON.parse(runPython(['counts', KAFKA_BROKERS.join(','), output, expectedFile, '90'], 120_000)) as { records: number; missing: object };
        assert.deepEqual(read.missing, {});
        assert.equal(tributary.child.exitCode, null, `tributary stopped:\n${tributary.output().slice(-3000)}`);

        // Tributary's own batches (the output and the repartition topic it read back) carry the codec.
        const outputBatches = await countDecompressions(() => consumeMessages(kafka, output, read.records, { timeoutMs: 30_000 }));
        assert.deepEqual([...outputBatches.keys()], [codec.type], `output batches by codec: ${[...outputBatches]}`);
      } finally {
        tributary.child.kill('SIGTERM');
        await tributary.exited;
        fs.rmSync(dir, { recursive: true, force: true });
      }
      assert.doesNotMatch(tributary.output(), /KafkaJSNotImplemented|not implemented/);
    });
  }
});
