import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Schema } from 'avsc';
import { main } from '../../../runtime/cli/main';
import { AvroSerde } from '../../../schemas/serde-avro';
import { createRegistryClient } from '../../../schemas/registry-client';
import { HomeFeedGenerator } from '../../../examples/home-feed/generate/home-feed-generator';
import { loadHomeFeedSchema } from '../../../examples/home-feed/generate/home-feed-schemas';
import type { EngagementEvent } from '../../../examples/home-feed/generate/home-feed-events';
import { consumeMessages, randomTopic, REGISTRY_URL, KAFKA_BROKERS, requireKafka, requireRegistry, testKafka } from '../../helpers/services';

describe('tributary generate (real Kafka and registry)', () => {
  before(async () => {
    await requireKafka();
    await requireRegistry();
  });

  it('writes the seeded stream as Avro through the registry, keyed by user and pin, with held-out engagements to a topic and a file', async () => {
    const engagements = randomTopic('eng');
    const images = randomTopic('img');
    const holdout = randomTopic('hold');
    const holdoutFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gen-')), 'holdout.jsonl');
    const world = { total: 3000, users: 80, pins: 200, seed: 11 };
    const code = await main(['node', 'tributary', 'generate', '--brokers', KAFKA_BROKERS.join(','), '--registry', REGISTRY_URL,
      '--engagements-topic', engagements, '--images-topic', images, '--holdout-topic', holdout, '--holdout-file', holdoutFile,
      '--total', String(world.total), '--users', String(world.users), '--pins', String(world.pins), '--seed', String(world.seed),
      '--partitions', '2', '--start', '2026-01-05T00:00:00Z', '--no-progress']);
    assert.equal(code, 0);

    const expected = [...new HomeFeedGenerator({ totalEvents: world.total, users: world.users, initialPins: world.pins, seed: world.seed }).events()];
    const count = (kind: string): number => expected.filter((e) => e.kind === kind).length;
    const kafka = testKafka();
    const registry = createRegistryClient({ url: REGISTRY_URL });
    const reader = async (topic: string, name: 'engagement' | 'image'): Promise<AvroSerde> =>
      AvroSerde.create({ registry, subject: `${topic}-value`, schema: JSON.parse(loadHomeFeedSchema(name).text) as Schema, autoRegister: false });

    for (const [topic, kind, name] of [[engagements, 'engagement', 'engagement'], [images, 'image', 'image'], [holdout, 'holdout', 'engagement']] as const) {
      const received = await consumeMessages(kafka, topic, count(kind), { timeoutMs: 30_000 });
      assert.equal(received.length, count(kind), `${topic}: ${received.length} of ${count(kind)} ${kind} records`);
      const serde = await reader(topic, name);
      const values = received.map((r) => r.message.value);
      await serde.prepare(values);
      const byKey = new Map(expected.filter((e) => e.kind === kind).map((e) => [JSON.stringify(e.value), e]));
      for (const r of received) {
        const decoded = JSON.parse(JSON.stringify(serde.deserialize(r.message.value))) as Record<string, unknown>;
        const original = byKey.get(JSON.stringify(decoded));
        assert.ok(original, `${topic}: decoded record matches no generated event: ${JSON.stringify(decoded).slice(0, 160)}`);
        assert.equal(r.message.key?.toString('utf8'), original.key);
        assert.equal(Number(r.message.timestamp), original.timestamp);
      }
    }
    const fileLines = fs.readFileSync(holdoutFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EngagementEvent);
    assert.deepEqual(fileLines, expected.filter((e) => e.kind === 'holdout').map((e) => e.value));
  });

  it('fails with one line naming the option when the config is impossible', async () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const code = await main(['node', 'tributary', 'generate', '--total', '10', '--pins', '100', '--holdout-share', '0', '--no-progress']);
      assert.equal(code, 2, 'options the generator refuses are a usage error');
    } finally {
      process.stderr.write = original;
      process.exitCode = undefined;
    }
    assert.equal(written.length, 1);
    assert.match(written[0], /totalEvents \(10\) must exceed initialPins \(100\)/);
  });
});
