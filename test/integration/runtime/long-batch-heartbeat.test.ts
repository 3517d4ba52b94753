/**
 * A batch that runs longer than the group session timeout (slow scoring, a large fetch)
 * keeps its partition: the app heartbeats while the batch runs. kafkajs heartbeats only
 * between batches, so without that the broker evicts the member, the batch's offset commit
 * is refused, and the batch is processed again.
 *
 * And when a member is evicted anyway (a stalled process), it rejoins and goes on: the
 * second test takes the in-batch heartbeats away through the client seam, so the broker
 * really evicts it.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTopologyText } from '../../../topology';
import { startApplication, type RunningApplication } from '../../../runtime/app/start-application';
import type { KafkaClient } from '../../../runtime/kafka/client/kafka-client';
import { KafkajsClient } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';
import { createLogger } from '../../../core/logger';
import { consumeMessages, createTopics, KAFKA_BROKERS, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';

describe('tributary run: a batch longer than the session timeout (real broker)', function () {
  this.timeout(120_000);
  const kafka = testKafka();
  before(requireKafka);

  /** A 1-partition json app whose first batch takes 9 s (the broker's smallest session timeout is 6 s by default). */
  async function slowApp(client?: KafkaClient) {
    const input = randomTopic('slow-in');
    const output = randomTopic('slow-out');
    const appId = `slow-${randomUUID().slice(0, 8)}`;
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-slow-'));
    await createTopics(kafka, [{ topic: input, partitions: 1 }, { topic: output, partitions: 1 }]);
    await produce(input, 0, 5);
    const { topology, problems } = loadTopologyText(`name: ${appId}
kafka: { brokers: [${KAFKA_BROKERS.join(', ')}] }
processing: { sessionTimeout: 6s, stateDir: ${stateDir} }
sources: { in: { topic: ${input}, value: json } }
pipelines: { main: { from: in, to: out } }
sinks: { out: { topic: ${output}, value: json } }
`, path.join(stateDir, 'slow.yaml'), { env: {} });
    assert.deepEqual(problems, []);
    const firstOffsets: string[] = [];
    let slow = true;
    let fatal: unknown;
    let app: RunningApplication | undefined;
    const start = async (): Promise<void> => {
      app = await startApplication({
        topology: topology!,
        logger: createLogger('long-batch-test', 'error'),
        ...(client ? { client } : {}),
        onFatal: (error) => { fatal = error; },
        seams: {
          wrapPipeline: (pipeline) => ({
            process: async (topic, records) => {
              firstOffsets.push(records[0]?.source?.offset ?? '?');
              if (slow) {
                slow = false;
                await new Promise((r) => setTimeout(r, 9_000));
              }
              return pipeline.process(topic, records);
            },
            close: async () => { await pipeline.close?.(); },
          }),
        },
      });
    };
    const cleanup = async () => {
      await app?.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    };
    return { input, output, start, firstOffsets, fatal: () => fatal, cleanup };
  }

  async function produce(topic: string, from: number, count: number): Promise<void> {
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: JSON.stringify({ n: from + i }) })) });
    await producer.disconnect();
  }

  it('is processed once: the app heartbeats while it runs', async () => {
    const run = await slowApp();
    try {
      await run.start();
      await consumeMessages(kafka, run.output, 5, { timeoutMs: 60_000 });
      // A re-processed batch would show up within a few seconds more.
      await new Promise((r) => setTimeout(r, 4_000));
      const all = await consumeMessages(kafka, run.output, 100, { timeoutMs: 5_000 });
      assert.deepEqual(run.firstOffsets, ['0'], 'the batch from offset 0 ran once');
      assert.equal(all.length, 5);
    } finally {
      await run.cleanup();
    }
  });

  it('an evicted member rejoins, processes the refused batch again and goes on', async () => {
    // The real kafkajs client, less the heartbeats during a batch: the broker evicts the member.
    const real = new KafkajsClient(testKafka('long-batch-evicted'));
    const client: KafkaClient = Object.assign(Object.create(real) as KafkaClient, {
      groupConsumer: (options: Parameters<KafkaClient['groupConsumer']>[0]) => {
        const consumer = real.groupConsumer(options);
        return Object.assign(Object.create(consumer), {
          run: (handlers: Parameters<typeof consumer.run>[0]) => consumer.run({
            ...handlers,
            onBatch: (batch) => handlers.onBatch({ ...batch, heartbeat: async () => undefined }),
          }),
        });
      },
    });
    const run = await slowApp(client);
    try {
      await run.start();
      // The first batch's outputs are written, its commit is refused (member evicted), and after
      // the rejoin the batch runs again: at-least-once allows the duplicates.
      const first = await consumeMessages(kafka, run.output, 10, { timeoutMs: 60_000 });
      assert.equal(first.length, 10);
      assert.deepEqual(run.firstOffsets.slice(0, 2), ['0', '0'], 'the refused batch ran again');
      await produce(run.input, 5, 3);
      const all = await consumeMessages(kafka, run.output, 13, { timeoutMs: 30_000 });
      assert.deepEqual(all.slice(10).map((m) => JSON.parse(m.message.value!.toString()).n), [5, 6, 7], 'the member went on after rejoining');
      assert.equal(run.fatal(), undefined, 'the app did not stop');
    } finally {
      await run.cleanup();
    }
  });
});
