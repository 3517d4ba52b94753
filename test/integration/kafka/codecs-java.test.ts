/**
 * Kafka's Java consumer reads what Tributary's codecs write: each codec's output for
 * a records section is decompressed by kafka-clients' own code
 * (java/KafkaDecompress.java, the `wrapForInput` the Java consumer runs per batch).
 * (The other way, Java's producer output, is a unit test: test/fixtures/codecs.)
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lz4Codec, snappyCodec, zstdCodec, type KafkajsCodec } from '../../../runtime/kafka/client/kafkajs/kafkajs-codecs';

const repo = path.join(__dirname, '..', '..', '..', '..');
const cache = process.env.TRIBUTARY_SERVICES_CACHE ?? path.join(os.homedir(), '.cache', 'tributary-services');
const javaSource = path.join(repo, 'test', 'integration', 'kafka', 'java', 'KafkaDecompress.java');

function kafkaLibs(): string {
  const dirs = fs.existsSync(cache) ? fs.readdirSync(cache).filter((d) => d.startsWith('kafka-')) : [];
  for (const d of dirs) {
    const libs = path.join(cache, d, 'libs');
    if (fs.existsSync(libs) && fs.readdirSync(libs).some((f) => /^kafka-clients-.*\.jar$/.test(f))) return libs;
  }
  throw new Error(`kafka-clients jar not found under ${cache}; run \`npm run services:start\` once to fetch Kafka`);
}

const CODECS: ReadonlyArray<readonly [string, KafkajsCodec]> = [['snappy', snappyCodec], ['lz4', lz4Codec], ['zstd', zstdCodec]];

describe('Kafka\'s Java consumer reads the batches Tributary compresses', function () {
  this.timeout(60_000);
  const input = fs.readFileSync(path.join(repo, 'test', 'fixtures', 'codecs', 'input.bin'));
  // 3 MiB: many lz4 blocks and xerial-sized chunks' worth, as a full fetch holds.
  const large = Buffer.concat(Array.from({ length: 33 }, () => input));

  for (const [name, codec] of CODECS) {
    it(`${name}`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `codec-java-${name}-`));
      try {
        const compressed = path.join(dir, 'in.bin');
        const decompressed = path.join(dir, 'out.bin');
        fs.writeFileSync(compressed, await codec.compress({ buffer: large }));
        execFileSync('java', ['-cp', `${kafkaLibs()}/*`, javaSource, name, compressed, decompressed], { encoding: 'utf8' });
        assert.ok(fs.readFileSync(decompressed).equals(large), `${name}: Java decompressed other bytes`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
