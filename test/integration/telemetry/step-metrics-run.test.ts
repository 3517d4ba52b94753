/**
 * Step metrics of a real `tributary run`, read from its Prometheus endpoint: a late record
 * increments `tributary_late_records_total` and the step counts reach
 * `tributary_step_records_total` (production passes the metrics to every task pipeline through
 * the composition root). The clicks carry their event time at a dotted path as ISO-8601
 * strings, so the window's output also shows that event time reaches the step.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { metricNames as M, prometheusName } from '../../../runtime/telemetry/metric-names';
import { scrapePrometheus } from '../../../runtime/telemetry/prometheus-scrape';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { consumeMessages, createTopics, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { startTributary } from '../../helpers/tributary-process';
import { freePort } from '../../helpers/free-port';

const topologyFile = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'telemetry', 'late-clicks.yaml');

describe('step metrics of `tributary run` on the real broker', function () {
  this.timeout(180_000);
  before(requireKafka);

  it('counts late records and step records on the Prometheus endpoint; ISO event times at a dotted path reach the window', async () => {
    const kafka = testKafka('step-metrics-run');
    const [clicks, counts, late] = [randomTopic('clicks'), randomTopic('counts'), randomTopic('late')];
    await createTopics(kafka, [clicks, counts, late].map((topic) => ({ topic, partitions: 1 })));
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
    // Three clicks in [0 s, 10 s), one at 25 s (closes that window: grace 0), then two at 5 s: late.
    const seconds = [1, 2, 3, 25, 5, 6];
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    await producer.send({ topic: clicks, messages: seconds.map((s, i) => ({ key: 'u1', value: JSON.stringify({ n: i, meta: { at: at(s) } }) })) });
    await producer.disconnect();

    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'step-metrics-'));
    const port = await freePort();
    const app = `step-metrics-${randomUUID().slice(0, 8)}`;
    const proc = startTributary(['run', topologyFile, '--metrics-port', String(port), '--no-status'],
      { APP: app, STATE_DIR: stateDir, CLICKS: clicks, COUNTS: counts, LATE: late });
    try {
      const window = await consumeMessages(kafka, counts, 1, { timeoutMs: 90_000 });
      assert.deepEqual(JSON.parse(window[0].message.value!.toString()), { user: 'u1', start: Date.parse(at(0)), clicks: 3 });
      const lateOnes = await consumeMessages(kafka, late, 2, { timeoutMs: 30_000 });
      assert.deepEqual(lateOnes.map((m) => JSON.parse(m.message.value!.toString()).n).sort(), [4, 5]);

      const metrics = await scrapePrometheus(`http://127.0.0.1:${port}/metrics`);
      assert.equal(sumSamples(metrics, prometheusName(M.lateRecords, 'counter'), { tributary_step_id: 'per-10s' }), 2, 'two late records counted');
      assert.equal(sumSamples(metrics, prometheusName(M.stepRecords, 'counter'), { tributary_step_id: 'per-10s', tributary_direction: 'in' }), 6);
      assert.equal(sumSamples(metrics, prometheusName(M.stepRecords, 'counter'), { tributary_step_id: 'flatten', tributary_direction: 'out' }), 1);
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, proc.output().slice(-2000));
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
