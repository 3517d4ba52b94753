/**
 * `tributary run` on the real broker and registry: a 3-partition Avro
 * topology under at-least-once, poison records to the dead-letter topic,
 * SIGTERM then restart, and two processes sharing (then taking over) the work.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createRegistryClient } from '../../../schemas/registry-client';
import { AvroSerde } from '../../../schemas/serde-avro';
import { DLQ_HEADERS } from '../../../runtime/kafka/dead-letter';
import { consumeMessages, createTopics, randomTopic, REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';
import { cleanedUp, startTributary, type TributaryProcess } from '../../helpers/tributary-process';

const fixtures = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'runtime');
const topologyFile = path.join(fixtures, 'stateless.yaml');
const eventSchema = JSON.parse(fs.readFileSync(path.join(fixtures, 'event.avsc'), 'utf8'));

interface Event { id: number; user: string; amount: number }

interface Run {
  readonly input: string;
  readonly output: string;
  readonly app: string;
  readonly env: Record<string, string>;
  readonly serde: AvroSerde;
  /** Decodes the output topic (the id the sink writes with is this serde's own). */
  readonly outSerde: AvroSerde;
}

async function newRun(kafka: Kafka, partitions = 3): Promise<Run> {
  const input = randomTopic('in');
  const output = randomTopic('out');
  const app = `app-${randomUUID().slice(0, 8)}`;
  await createTopics(kafka, [{ topic: input, partitions }]);
  const registry = createRegistryClient({ url: REGISTRY_URL });
  // The schema is owned by the producer side: register it for both topics up front.
  const serde = await AvroSerde.create({ registry, subject: `${input}-value`, schema: eventSchema, autoRegister: true });
  const outSerde = await AvroSerde.create({ registry, subject: `${output}-value`, schema: eventSchema, autoRegister: true });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-'));
  return { input, output, app, serde, outSerde, env: { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir } };
}

async function produceEvents(kafka: Kafka, run: Run, ids: readonly number[], poison: ReadonlyMap<number, Buffer> = new Map()): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let start = 0; start < ids.length; start += 5000) {
    const messages = ids.slice(start, start + 5000).map((id) => ({
      key: `u${id % 997}`,
      value: poison.get(id) ?? run.serde.serialize({ id, user: `u${id % 997}`, amount: id % 50 }),
    }));
    await producer.send({ topic: run.input, messages });
  }
  await producer.disconnect();
}

/** Consume the output until every expected id arrived (duplicates allowed) or the timeout. */
async function consumeIds(kafka: Kafka, run: Run, expected: readonly number[], timeoutMs: number): Promise<Event[]> {
  const want = new Set(expected);
  const events: Event[] = [];
  await consumeMessages(kafka, run.output, expected.length, {
    timeoutMs,
    done: (received) => {
      for (let i = events.length; i < received.length; i++) {
        const event = run.outSerde.deserialize(received[i].message.value) as Event;
        events.push(event);
        want.delete(Number(event.id));
      }
      return want.size === 0;
    },
  });
  return events;
}

function missingIds(expected: readonly number[], events: readonly Event[]): number[] {
  const seen = new Set(events.map((e) => Number(e.id)));
  return expected.filter((id) => !seen.has(id));
}

describe('tributary run (stateless topology on the real broker)', function () {
  this.timeout(240_000);
  const kafka = testKafka();
  const { processes } = cleanedUp();

  before(async () => {
    await requireKafka();
    await requireRegistry();
  });


  it('processes 100k records from 3 partitions under at-least-once: every input appears in the output', async () => {
    const run = await newRun(kafka);
    const ids = Array.from({ length: 100_000 }, (_, i) => i);
    await produceEvents(kafka, run, ids);
    const proc = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    processes.push(proc);
    await proc.waitFor(/application started/);
    const events = await consumeIds(kafka, run, ids, 180_000);
    assert.deepEqual(missingIds(ids, events).slice(0, 10), [], 'no input missing from the output');
    assert.ok(events.every((e) => e.user.endsWith('-seen')), 'the map step ran on every record');
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, `clean exit on SIGTERM:\n${proc.output().slice(-2000)}`);
  });

  it('sends every poison record to the dead-letter topic with headers and processes every good one', async () => {
    const run = await newRun(kafka);
    const ids = Array.from({ length: 5000 }, (_, i) => i);
    const good = run.serde.serialize({ id: 1, user: 'x', amount: 1 })!;
    const poisonKinds = [
      Buffer.concat([Buffer.from([7]), good.subarray(1)]),                  // bad magic byte
      Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x01]), good.subarray(5)]), // unknown schema id
      good.subarray(0, 6),                                                  // truncated Avro
      Buffer.from('{"id": 1, "user": '),                                    // wrong JSON (not Avro at all)
    ];
    const poison = new Map<number, Buffer>();
    for (let id = 0; id < ids.length; id += 100) poison.set(id + 37, poisonKinds[(id / 100) % poisonKinds.length]);
    await produceEvents(kafka, run, ids, poison);
    const proc = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    processes.push(proc);
    await proc.waitFor(/application started/);

    const goodIds = ids.filter((id) => !poison.has(id));
    const events = await consumeIds(kafka, run, goodIds, 120_000);
    assert.deepEqual(missingIds(goodIds, events), []);

    const dead = await consumeMessages(kafka, `${run.app}-dlq`, poison.size, { timeoutMs: 60_000 });
    assert.equal(dead.length, poison.size, 'every poison record is in the DLQ');
    for (const d of dead) {
      const h = d.message.headers!;
      assert.equal(String(h[DLQ_HEADERS.topic]), run.input);
      assert.equal(String(h[DLQ_HEADERS.stage]), 'deserialize');
      assert.ok(String(h[DLQ_HEADERS.error]).length > 0);
      const partition = Number(String(h[DLQ_HEADERS.partition]));
      assert.ok(partition >= 0 && partition < 3);
      assert.match(String(h[DLQ_HEADERS.offset]), /^\d+$/);
    }
    const deadValues = new Set(dead.map((d) => d.message.value!.toString('hex')));
    for (const bytes of poison.values()) assert.ok(deadValues.has(bytes.toString('hex')), 'the original bytes are kept');
  });

  it('stops cleanly on SIGTERM mid-stream and, restarted, leaves no input missing', async () => {
    const run = await newRun(kafka);
    const ids = Array.from({ length: 40_000 }, (_, i) => i);
    await produceEvents(kafka, run, ids);
    const first = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    processes.push(first);
    await first.waitFor(/task created/);
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, `clean exit on SIGTERM:\n${first.output().slice(-2000)}`);
    assert.match(first.output(), /application stopped/);

    const second = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    processes.push(second);
    await second.waitFor(/application started/);
    assert.deepEqual(missingIds(ids, await consumeIds(kafka, run, ids, 120_000)), []);
  });

  it('splits partitions between two processes and, when one is killed, the other finishes the work', async () => {
    const run = await newRun(kafka, 4);
    const firstHalf = Array.from({ length: 20_000 }, (_, i) => i);
    await produceEvents(kafka, run, firstHalf);
    const a = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    const b = startTributary(['run', topologyFile, '--no-metrics'], run.env);
    processes.push(a, b);
    await Promise.all([a.waitFor(/task created/), b.waitFor(/task created/)]);
    const tasksOf = (p: TributaryProcess) => new Set([...p.output().matchAll(/task created task=(\S+)/g)].map((m) => m[1]));
    // Each process logs its tasks as it creates them after the group settles: wait (bounded) for all four.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && new Set([...tasksOf(a), ...tasksOf(b)]).size < 4;) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const union = new Set([...tasksOf(a), ...tasksOf(b)]);
    assert.ok(tasksOf(a).size > 0 && tasksOf(b).size > 0, 'both processes own tasks');
    assert.equal(union.size, 4);

    a.child.kill('SIGKILL');
    await a.exited;
    const secondHalf = Array.from({ length: 20_000 }, (_, i) => 20_000 + i);
    await produceEvents(kafka, run, secondHalf);
    const all = [...firstHalf, ...secondHalf];
    assert.deepEqual(missingIds(all, await consumeIds(kafka, run, all, 150_000)).slice(0, 10), []);
    assert.equal(tasksOf(b).size, 4, 'the survivor took over every partition');
  });
});
