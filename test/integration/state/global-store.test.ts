/**
 * A global store on the real broker: a 3-partition pins topic fills the store
 * of every instance from all partitions, a stream on another 3-partition
 * topic looks pins up (each lookup finds its row whatever partition the pin
 * and the click are on), rows produced while the app runs become visible,
 * and a restart with the same state directory reads only the new records.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { loadTopology, type CompiledTopology } from '../../../topology';
import { startApplication, type RunningApplication } from '../../../runtime/app/start-application';
import { createLogger, type Logger } from '../../../core/logger';

const topologyFile = path.resolve(__dirname, '../../../../test/fixtures/runtime/global-lookup.yaml');

/** A logger that keeps every line (message and fields) and prints warnings and errors. */
function capturingLogger(): Logger & { lines: Array<{ message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const stderr = createLogger('global-store-it', 'warn');
  const keep = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields: Record<string, unknown> = {}) => {
    lines.push({ message, fields });
    stderr[level](message, fields);
  };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

async function produce(kafka: Kafka, topic: string, messages: Array<{ key: string; value: unknown }>): Promise<void> {
  // Idempotent: a retried request cannot write its records twice (the restore counts are checked).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value === null ? null : JSON.stringify(m.value) })) });
  } finally {
    await producer.disconnect();
  }
}

const pin = (i: number) => ({ key: `p${i}`, value: { category: `c${i % 7}`, n: i } });
const click = (i: number) => ({ key: `u${i}`, value: { pin: `p${i}` } });
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

/** Waits (bounded) until `check` holds, polling; returns whether it did. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('global store (real broker, 3 partitions)', function () {
  this.timeout(240_000);
  const kafka = testKafka('global-store-it');
  let stateDir: string | undefined;

  before(requireKafka);
  after(() => { if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true }); });

  it('fills from every partition before tasks start, follows the topic while running, and restarts reading only new records', async () => {
    const pins = randomTopic('pins');
    const clicks = randomTopic('clicks');
    const output = randomTopic('enriched');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-global-'));
    const env = { APP: `gs-${randomUUID().slice(0, 8)}`, PINS: pins, CLICKS: clicks, OUTPUT: output, STATE_DIR: stateDir };
    await createTopics(kafka, [{ topic: pins, partitions: 3 }, { topic: clicks, partitions: 3 }]);
    const { topology, problems } = loadTopology(topologyFile, { env });
    assert.ok(topology, problems.map((p) => p.message).join('; '));
    const compiled: CompiledTopology = topology;

    // A backlog of 300 pins on all three partitions, and one pin deleted again.
    await produce(kafka, pins, [...range(0, 300).map(pin), { key: 'p299', value: null }]);
    const admin = kafka.admin();
    await admin.connect();
    const perPartition = await admin.fetchTopicOffsets(pins).finally(() => admin.disconnect());
    assert.equal(perPartition.length, 3);
    for (const p of perPartition) assert.ok(Number(p.high) > 0, `partition ${p.partition} holds pins`);
    // What the topic holds (301 produced; a producer retry after a timeout may have written a batch twice).
    const inTopic = perPartition.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    assert.ok(inTopic >= 301);

    const fatal: unknown[] = [];
    const startApp = (logger: Logger): Promise<RunningApplication> =>
      startApplication({ topology: compiled, logger, onFatal: (error) => { fatal.push(error); } });
    const outputs = async (count: number) => (await consumeMessages(kafka, output, count, { timeoutMs: 60_000 }))
      .map((m) => JSON.parse(m.message.value!.toString()) as { pin: string; pinInfo: { n: number } | null });

    const firstLog = capturingLogger();
    const first = await startApp(firstLog);
    try {
      const restored = firstLog.lines.find((l) => l.message === 'global store restored');
      assert.ok(restored, 'the store was restored during start()');
      assert.deepEqual([restored.fields.store, restored.fields.partitions, restored.fields.records, restored.fields.localState], ['pin-index', 3, inTopic, 'new']);
      assert.ok(Number(restored.fields.recordsPerSecond) > 0);
      // Restored before the group was joined: the first log line about the app comes after it.
      assert.ok(firstLog.lines.indexOf(restored) < firstLog.lines.findIndex((l) => l.message === 'application started'));

      await produce(kafka, clicks, range(0, 300).map(click));
      const enriched = await outputs(300);
      assert.equal(enriched.length, 300);
      for (const e of enriched) {
        const n = Number(e.pin.slice(1));
        if (n === 299) assert.equal(e.pinInfo, null, 'the deleted pin is gone');
        else assert.equal(e.pinInfo?.n, n, `click on ${e.pin} found its row`);
      }

      // Pins produced while the app runs: visible once the follow loop has read them.
      await produce(kafka, pins, range(300, 350).map(pin));
      const view = first.globalStores!.keyValueStore<string, { n: number }>('pin-index');
      assert.ok(await until(async () => (await view.getMany(range(300, 350).map((i) => `p${i}`))).every((v) => v !== undefined), 30_000),
        'pins produced while running reached the store');
      await produce(kafka, clicks, range(300, 350).map(click));
      const later = (await outputs(350)).filter((e) => Number(e.pin.slice(1)) >= 300);
      assert.equal(later.length, 50);
      for (const e of later) assert.equal(e.pinInfo?.n, Number(e.pin.slice(1)), `click on ${e.pin} found the pin produced while running`);
      assert.throws(() => view.put('p1', { n: -1 }), /global store, read-only to steps/);
    } finally {
      await first.stop();
    }

    // 20 pins produced while no instance runs; the restart reads those only.
    await produce(kafka, pins, range(350, 370).map(pin));
    const secondLog = capturingLogger();
    const second = await startApp(secondLog);
    try {
      const restored = secondLog.lines.find((l) => l.message === 'global store restored');
      assert.ok(restored);
      assert.deepEqual([restored.fields.records, restored.fields.localState], [20, 'checkpointed']);
      const view = second.globalStores!.keyValueStore<string, { n: number }>('pin-index');
      assert.deepEqual((await view.getMany(['p0', 'p298', 'p299', 'p349', 'p369'])).map((v) => v?.n ?? null), [0, 298, null, 349, 369]);
      await produce(kafka, clicks, range(350, 370).map(click));
      const restart = (await outputs(370)).filter((e) => Number(e.pin.slice(1)) >= 350);
      assert.equal(restart.length, 20);
      for (const e of restart) assert.equal(e.pinInfo?.n, Number(e.pin.slice(1)));
    } finally {
      await second.stop();
    }
    assert.deepEqual(fatal, [], 'no instance failed');
  });

  it('sends records of the store topic that do not decode to the dead-letter topic (onError: dead-letter), keeping the good ones', async () => {
    const pins = randomTopic('pins');
    const clicks = randomTopic('clicks');
    const output = randomTopic('enriched');
    const app = `gs-dlq-${randomUUID().slice(0, 8)}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-global-dlq-'));
    try {
      await createTopics(kafka, [{ topic: pins, partitions: 3 }, { topic: clicks, partitions: 3 }]);
      const { topology } = loadTopology(topologyFile, { env: { APP: app, PINS: pins, CLICKS: clicks, OUTPUT: output, STATE_DIR: dir } });
      assert.ok(topology);
      const producer = kafka.producer(IDEMPOTENT);
      await producer.connect();
      const writeRaw = (messages: Array<{ key: string; value: string }>) => producer.send({ topic: pins, messages });
      try {
        // A backlog with two values that are not JSON among good rows.
        await writeRaw([...range(0, 20).map((i) => ({ key: `p${i}`, value: JSON.stringify(pin(i).value) })), { key: 'bad1', value: '{not json' }, { key: 'bad2', value: 'also not json' }]);
        const running = await startApplication({ topology, logger: createLogger('global-dlq-it', 'error'), onFatal: (error) => { throw error; } });
        try {
          // One more while it follows the topic.
          await writeRaw([{ key: 'bad3', value: '[1,' }, { key: 'p20', value: JSON.stringify(pin(20).value) }]);
          const letters = await consumeMessages(kafka, topology.processing.deadLetterTopic, 3, { timeoutMs: 60_000 });
          assert.deepEqual(letters.map((l) => l.message.key!.toString()).sort(), ['bad1', 'bad2', 'bad3']);
          for (const l of letters) {
            const headers = l.message.headers!;
            assert.equal(String(headers['tributary.error.stage']), 'deserialize');
            assert.equal(String(headers['tributary.source.topic']), pins);
            assert.ok(String(headers['tributary.error.message']).length > 0);
          }
          assert.equal(letters.find((l) => l.message.key!.toString() === 'bad3')!.message.value!.toString(), '[1,', 'the original bytes are kept');
          const view = running.globalStores!.keyValueStore<string, { n: number }>('pin-index');
          assert.ok(await until(async () => (await view.get('p20'))?.n === 20, 30_000), 'the good record after the bad one reached the store');
          assert.deepEqual((await view.getMany(['p0', 'p19', 'bad1'])).map((v) => v?.n ?? null), [0, 19, null]);
        } finally {
          await running.stop();
        }
      } finally {
        await producer.disconnect();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
