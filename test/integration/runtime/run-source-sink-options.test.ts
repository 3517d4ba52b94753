/**
 * The source/sink options of the topology file through `tributary run` on the
 * real broker and registry: a source's onError skip and fail, a gzip sink
 * (checked in the record batches the broker serves), the record subject strategy and
 * autoRegister false/true, with registry credentials kept out of the output.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createRegistryClient } from '../../../schemas/registry-client';
import { AvroSerde } from '../../../schemas/serde-avro';
import { metricNames as M, prometheusName } from '../../../runtime/telemetry/metric-names';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { consumeMessages, createTopics, randomTopic, REGISTRY_URL, requireKafka, requireRegistry, testKafka } from '../../helpers/services';
import { cleanedUp, startTributary, type TributaryProcess } from '../../helpers/tributary-process';
import { freePort } from '../../helpers/free-port';
import { fetchBatchCodecs } from '../../helpers/batch-codecs';

const root = path.join(__dirname, '..', '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'runtime');
const topologyFile = path.join(fixtures, 'source-sink-options.yaml');
const eventSchema = JSON.parse(fs.readFileSync(path.join(fixtures, 'event.avsc'), 'utf8')) as { name: string; namespace: string };

interface Event { id: number; user: string; amount: number }

interface Run {
  readonly input: string;
  readonly output: string;
  readonly app: string;
  readonly env: Record<string, string>;
  readonly serde: AvroSerde;
}

/** A fresh app on fresh topics; `outSubject` registers the output schema under that subject up front. */
async function newRun(kafka: Kafka, partitions: number, options: { inSchema?: object; inSubject?: string; outSubject?: string | null } = {}): Promise<Run> {
  const input = randomTopic('in');
  const output = randomTopic('out');
  const app = `app-${randomUUID().slice(0, 8)}`;
  await createTopics(kafka, [{ topic: input, partitions }]);
  const registry = createRegistryClient({ url: REGISTRY_URL });
  const schema = (options.inSchema ?? eventSchema) as never;
  const serde = await AvroSerde.create({ registry, subject: options.inSubject ?? `${input}-value`, schema, autoRegister: true });
  const outSubject = options.outSubject === undefined ? `${output}-value` : options.outSubject;
  if (outSubject !== null) await AvroSerde.create({ registry, subject: outSubject, schema: eventSchema as never, autoRegister: true });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-'));
  // An inherited TRIBUTARY_AUTO_REGISTER would override the file: empty leaves the file in charge.
  return { input, output, app, serde, env: { APP: app, INPUT: input, OUTPUT: output, STATE_DIR: stateDir, TRIBUTARY_AUTO_REGISTER: '' } };
}

async function produce(kafka: Kafka, run: Run, ids: readonly number[], poison: ReadonlyMap<number, Buffer> = new Map(), partition?: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic: run.input,
    messages: ids.map((id) => ({
      key: `u${id % 97}`,
      value: poison.get(id) ?? run.serde.serialize({ id, user: `u${id % 97}`, amount: id % 50 }),
      ...(partition === undefined ? {} : { partition }),
    })),
  });
  await producer.disconnect();
}

/** Poison of several kinds, one in every 50 ids. */
function poisonFor(run: Run, ids: readonly number[]): Map<number, Buffer> {
  const good = run.serde.serialize({ id: 1, user: 'x', amount: 1 })!;
  const kinds = [
    Buffer.concat([Buffer.from([7]), good.subarray(1)]),                       // bad magic byte
    Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x01]), good.subarray(5)]), // unknown schema id
    good.subarray(0, 6),                                                       // truncated Avro
  ];
  const poison = new Map<number, Buffer>();
  for (let i = 13; i < ids.length; i += 50) poison.set(ids[i], kinds[poison.size % kinds.length]);
  return poison;
}

/** Reads the output with a plain kafkajs consumer until every expected id arrived (or the timeout). */
async function consumeIds(kafka: Kafka, topic: string, serde: AvroSerde, expected: readonly number[], timeoutMs: number): Promise<Event[]> {
  const want = new Set(expected);
  const events: Event[] = [];
  const received = await consumeMessages(kafka, topic, expected.length, {
    timeoutMs,
    done: (all) => {
      for (let i = events.length; i < all.length; i++) {
        const event = serde.deserialize(all[i].message.value) as Event;
        events.push(event);
        want.delete(Number(event.id));
      }
      return want.size === 0;
    },
  });
  assert.ok(received.length >= events.length);
  return events;
}

function missing(expected: readonly number[], events: readonly Event[]): number[] {
  const seen = new Set(events.map((e) => Number(e.id)));
  return expected.filter((id) => !seen.has(id));
}

/** Messages in a topic (sum of high watermarks; nothing is deleted in these tests). */
async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group committed the end of every partition of `topic`. */
async function waitForCommittedEnd(kafka: Kafka, group: string, topic: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const behind = committed.partitions.filter((p) => p.offset !== ends.get(p.partition));
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`group ${group} did not commit the end of ${topic}: ${JSON.stringify(behind)} vs ${JSON.stringify([...ends])}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

async function subjectExists(subject: string): Promise<boolean> {
  const response = await fetch(`${REGISTRY_URL}/subjects/${encodeURIComponent(subject)}/versions`);
  return response.ok;
}


describe('tributary run: source onError, sink compression, subject strategy, autoRegister (real broker and registry)', function () {
  this.timeout(240_000);
  const kafka = testKafka();
  const { processes } = cleanedUp();

  before(async () => {
    await requireKafka();
    await requireRegistry();
  });


  const start = (run: Run, env: Record<string, string>, args: string[] = ['--no-metrics']): TributaryProcess => {
    const proc = startTributary(['run', topologyFile, ...args], { ...run.env, ...env });
    processes.push(proc);
    return proc;
  };

  it('onError: skip sends nothing to the DLQ, processes every good record and counts the skipped ones', async () => {
    const run = await newRun(kafka, 3);
    const ids = Array.from({ length: 3000 }, (_, i) => i);
    const poison = poisonFor(run, ids);
    await produce(kafka, run, ids, poison);
    const port = await freePort();
    const proc = start(run, { ON_ERROR: 'skip' }, ['--metrics-port', String(port)]);
    await proc.waitFor(/application started/);

    const good = ids.filter((id) => !poison.has(id));
    const outSerde = await AvroSerde.create({ registry: createRegistryClient({ url: REGISTRY_URL }), subject: `${run.output}-value`, schema: eventSchema as never });
    const events = await consumeIds(kafka, run.output, outSerde, good, 120_000);
    assert.deepEqual(missing(good, events).slice(0, 10), [], 'every good record processed');
    assert.ok(events.every((e) => !poison.has(Number(e.id))));
    await waitForCommittedEnd(kafka, run.app, run.input, 60_000);
    assert.equal(await topicSize(kafka, `${run.app}-dlq`), 0, 'nothing in the dead-letter topic');

    const skipped = sumSamples(await scrapePrometheus(`http://127.0.0.1:${port}/metrics`), prometheusName(M.skippedRecords, 'counter'), { tributary_error_stage: 'deserialize' });
    assert.ok(skipped >= poison.size, `${skipped} skipped records counted, expected at least ${poison.size}`);
    const output = proc.output();
    assert.match(output, /records that do not deserialize were skipped \(source onError: skip\) topic=\S+ partition=\d offset=\d+ skipped=\d+ total=\d+ error=/);
    // Rate-limited (one line per topic per 10 s): far fewer lines than skipped records.
    const lines = (output.match(/were skipped/g) ?? []).length;
    assert.ok(lines < poison.size / 2, `${lines} log lines for ${poison.size} skipped records`);
    for (const bytes of poison.values()) assert.ok(!output.includes(bytes.toString('hex')) && !output.includes(bytes.toString('base64')));
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, proc.output().slice(-2000));
  });

  it('onError: fail stops the run with a non-zero exit naming topic, partition, offset and the problem; nothing past it is committed', async () => {
    const run = await newRun(kafka, 1);
    const ids = Array.from({ length: 400 }, (_, i) => i);
    const bad = Buffer.concat([Buffer.from([7]), run.serde.serialize({ id: 1, user: 'x', amount: 1 })!.subarray(1)]);
    await produce(kafka, run, ids, new Map([[250, bad]]), 0);
    const proc = start(run, { ON_ERROR: 'fail' });
    const code = await proc.exited;
    assert.notEqual(code, 0, proc.output().slice(-2000));
    assert.match(proc.output(), new RegExp(`record at ${run.input}/0@250 does not deserialize \\(source onError: fail\\): unknown magic byte 7`));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: run.app, topics: [run.input] });
      const offset = Number(committed.partitions[0].offset);
      assert.ok(offset <= 250, `committed offset ${offset} is not past the bad record`);
    } finally {
      await admin.disconnect();
    }
    assert.equal(await topicSize(kafka, `${run.app}-dlq`), 0);
  });

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`a gzip sink's records are gzip batches on the broker and read back by a plain consumer; the DLQ stays uncompressed (${guarantee})`, async () => {
      const run = await newRun(kafka, 2);
      const ids = Array.from({ length: 1500 }, (_, i) => i);
      const poison = poisonFor(run, ids);
      await produce(kafka, run, ids, poison);
      const proc = start(run, { SINK_COMPRESSION: 'gzip', GUARANTEE: guarantee });
      await proc.waitFor(/application started/);
      const good = ids.filter((id) => !poison.has(id));
      const outSerde = await AvroSerde.create({ registry: createRegistryClient({ url: REGISTRY_URL }), subject: `${run.output}-value`, schema: eventSchema as never });
      const events = await consumeIds(kafka, run.output, outSerde, good, 120_000);
      assert.deepEqual(missing(good, events).slice(0, 10), []);
      assert.ok(events.every((e) => e.user.endsWith('-seen')));
      await waitForCommittedEnd(kafka, run.app, run.input, 60_000);
      const dead = await consumeMessages(kafka, `${run.app}-dlq`, poison.size, { timeoutMs: 60_000 });
      assert.equal(dead.length, poison.size);

      const outCodecs = await fetchBatchCodecs(run.output);
      assert.ok(outCodecs.length > 0 && outCodecs.every((c) => c === 1), `gzip (1) batches in ${run.output}: ${outCodecs.join(',')}`);
      const dlqCodecs = await fetchBatchCodecs(`${run.app}-dlq`);
      assert.ok(dlqCodecs.length > 0 && dlqCodecs.every((c) => c === 0), `uncompressed batches in the DLQ: ${dlqCodecs.join(',')}`);
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, proc.output().slice(-2000));
    });
  }

  it('subjectNameStrategy: record looks up and registers <namespace>.<name> subjects, never <topic>-value', async () => {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-schemas-'));
    const inSchema = { ...eventSchema, name: `In${suffix}` };
    const outSchema = { ...eventSchema, name: `Out${suffix}` };
    fs.writeFileSync(path.join(dir, 'in.avsc'), JSON.stringify(inSchema));
    fs.writeFileSync(path.join(dir, 'out.avsc'), JSON.stringify(outSchema));
    const inSubject = `${eventSchema.namespace}.In${suffix}`;
    const outSubject = `${eventSchema.namespace}.Out${suffix}`;
    // The producer owns the input subject; the output subject is left for the app to register.
    const run = await newRun(kafka, 2, { inSchema, inSubject, outSubject: null });
    assert.equal(await subjectExists(outSubject), false);
    const ids = Array.from({ length: 500 }, (_, i) => i);
    await produce(kafka, run, ids);
    const proc = start(run, { SUBJECT_STRATEGY: 'record', AUTO_REGISTER: 'true', IN_SCHEMA: path.join(dir, 'in.avsc'), OUT_SCHEMA: path.join(dir, 'out.avsc') });
    await proc.waitFor(/application started/);
    assert.equal(await subjectExists(outSubject), true, `the app registered ${outSubject}`);

    const outSerde = await AvroSerde.create({ registry: createRegistryClient({ url: REGISTRY_URL }), subject: outSubject, schema: outSchema as never });
    const events = await consumeIds(kafka, run.output, outSerde, ids, 120_000);
    assert.deepEqual(missing(ids, events).slice(0, 10), []);
    assert.equal(await subjectExists(`${run.input}-value`), false, 'the input was read through the record subject');
    assert.equal(await subjectExists(`${run.output}-value`), false, 'the output was written under the record subject');
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, proc.output().slice(-2000));
  });

  it('autoRegister: false stops at start-up naming the missing subject (credentials never printed); TRIBUTARY_AUTO_REGISTER=1 overrides it', async () => {
    const run = await newRun(kafka, 1, { outSubject: null });
    const password = `pw-${randomUUID()}`;
    const failed = start(run, { AUTO_REGISTER: 'false', REGISTRY_USER: 'svc-tributary', REGISTRY_PASSWORD: password });
    const code = await failed.exited;
    assert.notEqual(code, 0);
    assert.match(failed.output(), new RegExp(`schema is not registered under subject ${run.output}-value; register it, or set schemaRegistry.autoRegister: true`));
    assert.doesNotMatch(failed.output(), /application started/);
    assert.ok(!failed.output().includes(password), 'the registry password is not printed');
    assert.equal(await subjectExists(`${run.output}-value`), false);

    const overridden = start(run, { AUTO_REGISTER: 'false', TRIBUTARY_AUTO_REGISTER: '1', REGISTRY_USER: 'svc-tributary', REGISTRY_PASSWORD: password });
    await overridden.waitFor(/application started/);
    assert.equal(await subjectExists(`${run.output}-value`), true, 'the variable let the app register its output schema');
    overridden.child.kill('SIGTERM');
    assert.equal(await overridden.exited, 0, overridden.output().slice(-2000));
    assert.ok(!overridden.output().includes(password));
  });
});
