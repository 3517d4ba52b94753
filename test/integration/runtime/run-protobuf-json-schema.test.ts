/**
 * `tributary run` with Protobuf and with JSON Schema sources and sinks on the
 * real broker and registry, against an independent client (Python's
 * confluent-kafka, registry_formats_client.py): the orders its serializer
 * wrote (registering its own schema) reach the sink with their values, the
 * bad records among them go to the dead-letter topic without losing the good
 * ones, its deserializer reads what the sink wrote, and a schema incompatible
 * with the subject's latest version stops start-up, naming the subject.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DLQ_HEADERS } from '../../../runtime/kafka/dead-letter';
import { consumeMessages, createTopics, KAFKA_BROKERS, randomTopic, REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';
import { killLeftovers, startTributary, type TributaryProcess } from '../../helpers/tributary-process';

const repo = path.join(__dirname, '..', '..', '..', '..');
const fixtures = path.join(repo, 'test', 'fixtures', 'runtime');
const schemas = path.join(repo, 'test', 'fixtures', 'topologies', 'schemas');
const script = path.join(repo, 'test', 'integration', 'runtime', 'registry_formats_client.py');
const python = process.env.TRIBUTARY_E2E_PYTHON ?? path.join(repo, 'test', 'e2e', '.venv', 'bin', 'python');

/** One record for the Python producer (see registry_formats_client.py). */
type Entry = { order: object } | { line: object } | { raw_hex: string } | { framed_hex: string };

interface Poison {
  readonly entry: Entry;
  /** What the DLQ record's error header must say. */
  readonly error: RegExp;
}

interface Format {
  readonly name: 'protobuf' | 'json-schema';
  readonly topology: string;
  /** Writes the application's schema with amount_cents changed from an integer to a string (not a compatible change); returns its path. */
  incompatibleSchema(dir: string): string;
  /** The i-th order as the producer writes it, and as the sink must hold it after the `tag` step. */
  order(i: number): { written: object; expected: object };
  readonly poison: readonly Poison[];
}

function write(file: string, text: string): string {
  fs.writeFileSync(file, text);
  return file;
}

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');
/** Magic byte and a schema id no registry has handed out. */
const UNKNOWN_ID = '007fffff01';

const FORMATS: readonly Format[] = [
  {
    name: 'protobuf',
    topology: path.join(fixtures, 'orders-protobuf.yaml'),
    incompatibleSchema(dir) {
      const text = fs.readFileSync(path.join(schemas, 'order.proto'), 'utf8');
      assert.match(text, /int64 amount_cents = 2;/);
      return write(path.join(dir, 'order.proto'), text.replace('int64 amount_cents = 2;', 'string amount_cents = 2;'));
    },
    order(i) {
      // The Protobuf JSON mapping: int64 as a decimal string, enums by name, every field present.
      const order = {
        amount_cents: String(1_000_000_000_000 + i),
        status: i % 2 === 0 ? 'STATUS_PAID' : 'STATUS_UNKNOWN',
        lines: Array.from({ length: i % 3 }, (_, n) => ({ sku: `sku-${i}-${n}`, qty: n })),
      };
      return { written: { order_id: `o${i}`, ...order }, expected: { order_id: `o${i}-seen`, ...order } };
    },
    poison: [
      { entry: { raw_hex: hex('{"order_id": "o1", "amount_cents": "5"}') }, error: /not a Confluent-framed Protobuf message/ },
      { entry: { raw_hex: `${UNKNOWN_ID}000a026f31` }, error: /schema id 2147483393 is unknown to the registry/ },
      { entry: { framed_hex: '0a056f31' }, error: /does not decode as shop\.v1\.Order/ },
      { entry: { line: { sku: 'not-an-order', qty: 3 } }, error: /written as shop\.v1\.Order\.Line/ },
    ],
  },
  {
    name: 'json-schema',
    topology: path.join(fixtures, 'orders-json-schema.yaml'),
    incompatibleSchema(dir) {
      const schema = JSON.parse(fs.readFileSync(path.join(schemas, 'order.schema.json'), 'utf8')) as { properties: Record<string, object> };
      schema.properties.amount_cents = { type: 'string' };
      return write(path.join(dir, 'order.schema.json'), JSON.stringify(schema));
    },
    order(i) {
      return { written: { order_id: `o${i}`, amount_cents: i * 7 }, expected: { order_id: `o${i}-seen`, amount_cents: i * 7 } };
    },
    poison: [
      { entry: { raw_hex: hex('{"order_id": "o1", "amount_cents": 5}') }, error: /not a Confluent-framed JSON message/ },
      { entry: { raw_hex: `${UNKNOWN_ID}${hex('{"order_id": "o1", "amount_cents": 5}')}` }, error: /schema id 2147483393 is unknown to the registry/ },
      { entry: { framed_hex: hex('{"order_id": "o1", "amou') }, error: /is not JSON/ },
      { entry: { framed_hex: hex('{"order_id": "o1", "amount_cents": -5}') }, error: /does not match its writer's JSON Schema.*amount_cents/ },
    ],
  },
];

function runPython(args: readonly string[], timeoutMs: number): string {
  const run = spawnSync(python, ['-W', 'ignore', script, ...args], { encoding: 'utf8', timeout: timeoutMs });
  assert.equal(run.status, 0, `python ${args[0]} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Has the Python producer write `entries` to `topic` in `format`, in order; resolves with its Orders' schema id. */
function producePython(dir: string, topic: string, format: Format['name'], entries: readonly Entry[]): number {
  const file = path.join(dir, `entries-${topic}.json`);
  fs.writeFileSync(file, JSON.stringify(entries));
  return (JSON.parse(runPython(['produce', KAFKA_BROKERS.join(','), REGISTRY_URL, topic, format, file], 60_000)) as { schema_id: number }).schema_id;
}

async function subjectVersions(subject: string): Promise<unknown> {
  const response = await fetch(`${REGISTRY_URL}/subjects/${encodeURIComponent(subject)}/versions`);
  assert.ok(response.ok, `versions of ${subject}: HTTP ${response.status}`);
  return response.json();
}

describe('tributary run: Protobuf and JSON Schema through the registry against an independent client (Python confluent-kafka)', function () {
  this.timeout(240_000);
  const kafka = testKafka('registry-formats');
  const processes: TributaryProcess[] = [];
  let dir: string;

  before(async () => {
    await requireKafka();
    await requireRegistry();
    assert.ok(fs.existsSync(python), `no Python client at ${python}: run \`bash test/e2e/setup-venv.sh\``);
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-formats-'));
  });

  afterEach(async () => {
    await killLeftovers(processes);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (format: Format, env: Record<string, string>): TributaryProcess => {
    const proc = startTributary(['run', format.topology, '--no-metrics'], { STATE_DIR: path.join(dir, 'state'), ...env });
    processes.push(proc);
    return proc;
  };

  for (const format of FORMATS) {
    it(`${format.name}: what the Python serializer wrote reaches the sink with its values, bad records go to the DLQ, and the Python deserializer reads the sink`, async () => {
      const app = `fmt-${format.name}-${randomUUID().slice(0, 8)}`;
      const input = randomTopic(`fmt-in-${format.name}`);
      const output = randomTopic(`fmt-out-${format.name}`);
      await createTopics(kafka, [{ topic: input, partitions: 2 }, { topic: output, partitions: 2 }]);

      // 300 orders with each kind of bad record twice among them; keys k<i> are the entries' positions.
      const orders = Array.from({ length: 300 }, (_, i) => format.order(i));
      const entries: Entry[] = [];
      const poisonAt = new Map<string, Poison>();
      const good = new Map<string, object>();
      for (const [i, order] of orders.entries()) {
        entries.push({ order: order.written });
        good.set(`k${entries.length - 1}`, order.expected);
        if (i % 37 === 20) {
          const poison = format.poison[poisonAt.size % format.poison.length];
          entries.push(poison.entry);
          poisonAt.set(`k${entries.length - 1}`, poison);
        }
      }
      assert.equal(poisonAt.size, 2 * format.poison.length);
      producePython(dir, input, format.name, entries);

      // The input subject is the producer's; the app's own schema matches it, and the output subject it registers.
      const proc = start(format, { APP: app, INPUT: input, OUTPUT: output, AUTO_REGISTER: 'true' });
      await proc.waitFor(/application started/);
      // Tributary's own schema (buf's descriptor of order.proto; the parsed JSON Schema) is the one the producer registered.
      assert.deepEqual(await subjectVersions(`${input}-value`), [1], 'the input subject has only the producer\'s version');

      const read = JSON.parse(runPython(['consume', KAFKA_BROKERS.join(','), REGISTRY_URL, output, format.name, String(good.size), '120'], 150_000)) as { key: string; value: object }[];
      const byKey = new Map(read.map((r) => [r.key, r.value]));
      assert.deepEqual([...good.keys()].filter((k) => !byKey.has(k)), [], 'every good order reached the sink');
      for (const [key, expected] of good) assert.deepEqual(byKey.get(key), expected, `the value of ${key}`);
      assert.deepEqual([...byKey.keys()].filter((k) => poisonAt.has(k)), [], 'no bad record reached the sink');

      const dead = await consumeMessages(kafka, `${app}-dlq`, poisonAt.size, { timeoutMs: 60_000 });
      assert.equal(dead.length, poisonAt.size, 'every bad record is in the DLQ');
      const sent = new Map(entries.map((e, i) => [`k${i}`, e]));
      for (const d of dead) {
        const key = String(d.message.key);
        const poison = poisonAt.get(key);
        assert.ok(poison, `${key} is one of the bad records`);
        const h = d.message.headers!;
        assert.equal(String(h[DLQ_HEADERS.topic]), input);
        assert.equal(String(h[DLQ_HEADERS.stage]), 'deserialize');
        assert.match(String(h[DLQ_HEADERS.error]), poison.error);
        const entry = sent.get(key)!;
        const value = d.message.value!.toString('hex');
        if ('raw_hex' in entry) assert.equal(value, entry.raw_hex, 'the original bytes are kept');
        if ('framed_hex' in entry) assert.ok(value.endsWith(entry.framed_hex), 'the original bytes are kept');
      }
      assert.equal(proc.child.exitCode, null, `tributary stopped:\n${proc.output().slice(-3000)}`);
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, `clean exit on SIGTERM:\n${proc.output().slice(-2000)}`);
    });

    it(`${format.name}: a schema incompatible with the subject's latest version stops start-up, naming the subject`, async () => {
      const app = `fmt-${format.name}-${randomUUID().slice(0, 8)}`;
      const input = randomTopic(`fmt-in-${format.name}`);
      const output = randomTopic(`fmt-out-${format.name}`);
      await createTopics(kafka, [{ topic: input, partitions: 1 }]);
      producePython(dir, input, format.name, [{ order: format.order(1).written }]);

      const proc = start(format, { APP: app, INPUT: input, OUTPUT: output, AUTO_REGISTER: 'true', IN_SCHEMA: format.incompatibleSchema(dir) });
      const code = await proc.exited;
      assert.notEqual(code, 0, proc.output().slice(-2000));
      assert.match(proc.output(), new RegExp(`schema is incompatible with the latest version of subject ${input}-value`));
      assert.doesNotMatch(proc.output(), /application started/);
      assert.deepEqual(await subjectVersions(`${input}-value`), [1], 'nothing was registered under the subject');
    });
  }
});
