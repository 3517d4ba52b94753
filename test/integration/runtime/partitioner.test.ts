/**
 * Our producers pick partitions as Kafka's Java client does (murmur2 of the
 * key bytes), so Java/Python consumers and Kafka Streams co-partition with us.
 * Checked against the real Java implementation in the broker's kafka-clients jar.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Partitioners } from 'kafkajs';

const cache = process.env.TRIBUTARY_SERVICES_CACHE ?? path.join(os.homedir(), '.cache', 'tributary-services');
const javaSource = path.join(__dirname, '..', '..', '..', '..', 'test', 'integration', 'runtime', 'java', 'Murmur2Partition.java');

function kafkaClientsJar(): string {
  const dirs = fs.existsSync(cache) ? fs.readdirSync(cache).filter((d) => d.startsWith('kafka-')) : [];
  for (const d of dirs) {
    const libs = path.join(cache, d, 'libs');
    const jar = fs.existsSync(libs) ? fs.readdirSync(libs).find((f) => /^kafka-clients-.*\.jar$/.test(f)) : undefined;
    if (jar) return path.join(libs, jar);
  }
  throw new Error(`kafka-clients jar not found under ${cache}; run \`npm run services:start\` once to fetch Kafka`);
}

describe('partitioner', () => {
  it('places keys on the same partitions as the Java producer (murmur2)', () => {
    const keys = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? `${i * 7919}` : `pin:${i}:é`));
    const partitions = 12;
    const libs = path.dirname(kafkaClientsJar());
    const java = execFileSync('java', ['-cp', `${libs}/*`, javaSource, String(partitions), ...keys], { encoding: 'utf8' })
      .trim().split('\n').map(Number);
    const partitioner = Partitioners.DefaultPartitioner();
    const ours = keys.map((key) => partitioner({
      topic: 't',
      partitionMetadata: Array.from({ length: partitions }, (_, p) => ({ partitionId: p, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] })),
      message: { key: Buffer.from(key, 'utf8'), value: null },
    }));
    assert.deepEqual(ours, java);
  });
});
