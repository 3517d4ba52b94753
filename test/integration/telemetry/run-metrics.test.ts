import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { createTopics, KAFKA_BROKERS, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { metricNames as M, prometheusName } from '../../../runtime/telemetry/metric-names';
import { sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { allOf, metricEquals, waitForMetrics } from './scrape-helpers';
import { freePort } from '../../helpers/free-port';

const bin = path.join(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');
const RECORDS = 200;


/**
 * `tributary run` over the real broker, scraped over HTTP while it runs: the
 * counts on its Prometheus endpoint must equal the records produced.
 */
describe('tributary run metrics endpoint', function () {
  this.timeout(120_000);
  const kafka = testKafka('run-metrics-it');
  let child: ChildProcess | undefined;
  let log = '';
  let dir: string | undefined;

  before(requireKafka);
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts every record in, through each step and out, with lag, e2e latency, readiness and task states', async () => {
    const input = randomTopic('run-in');
    const output = randomTopic('run-out');
    const app = randomTopic('run-app');
    await createTopics(kafka, [{ topic: input, partitions: 2 }, { topic: output, partitions: 2 }]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-run-metrics-'));
    const file = path.join(dir, 'topology.yaml');
    fs.writeFileSync(file, [
      `name: ${app}`,
      'kafka:',
      `  brokers: ${KAFKA_BROKERS.join(',')}`,
      'processing:',
      '  guarantee: at_least_once',
      '  commitInterval: 200ms',
      `  stateDir: ${path.join(dir, 'state')}`,
      'sources:',
      '  lines:',
      `    topic: ${input}`,
      '    key: string',
      '    value: json',
      'pipelines:',
      '  pass:',
      '    from: lines',
      '    steps:',
      '      - id: non-empty',
      '        filter:',
      '          expression: size(value.text) > 0',
      '    to: out',
      'sinks:',
      '  out:',
      `    topic: ${output}`,
      '    key: string',
      '    value: json',
      '',
    ].join('\n'));

    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    const eventTime = Date.now() - 1000;
    await producer.send({
      topic: input,
      messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i % 13}`, value: JSON.stringify({ text: `line ${i}` }), timestamp: String(eventTime) })),
    });
    await producer.disconnect();

    const port = await freePort();
    child = spawn(process.execPath, [bin, 'run', file, '--metrics-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const url = `http://127.0.0.1:${port}`;

    const consumed = prometheusName(M.consumed, 'counter');
    const sent = prometheusName(M.sent, 'counter');
    let scrape;
    try {
      scrape = await waitForMetrics(`${url}/metrics`, allOf(
        () => (child!.exitCode === null ? true : `tributary run exited with ${child!.exitCode}`),
        metricEquals(consumed, RECORDS, { messaging_destination_name: input }),
        metricEquals(sent, RECORDS, { messaging_destination_name: output }),
        (s) => {
          const lag = s.samples.filter((x) => x.name === prometheusName(M.consumerLag, 'gauge') && x.labels.messaging_destination_name === input);
          return lag.length === 2 && lag.every((x) => x.value === 0) ? true : `lag series of ${input}: ${JSON.stringify(lag.map((x) => x.value))}, want 2 partitions at 0`;
        },
      ), { timeoutMs: 60_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- tributary run output ---\n${log}`);
    }
    // Settled: a further scrape a moment later must not have counted more (no record counted twice).
    await new Promise((r) => setTimeout(r, 1500));
    const later = await waitForMetrics(`${url}/metrics`, () => true);
    assert.equal(sumSamples(later, consumed, { messaging_destination_name: input }), RECORDS, 'records consumed counted once each');
    assert.equal(sumSamples(later, sent, { messaging_destination_name: output }), RECORDS, 'records sent counted once each');
    assert.equal(sumSamples(later, 'tributary_e2e_latency_count', { messaging_destination_name: output }), RECORDS);
    const e2eMean = sumSamples(later, 'tributary_e2e_latency_sum', { messaging_destination_name: output }) / RECORDS;
    assert.ok(e2eMean >= 1 && e2eMean < 60, `e2e mean ${e2eMean}s`);
    // Tasks commit every commitInterval (200 ms here), so by the settled scrape at least one commit is in.
    assert.ok(sumSamples(later, 'tributary_commit_duration_count') >= 1, 'commits counted');
    assert.ok(sumSamples(scrape, prometheusName(M.rebalances, 'counter'), { tributary_rebalance_kind: 'assigned' }) >= 2);

    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const tasks = later.samples.filter((s) => s.name === 'tributary_task_state' && s.value === 1);
    assert.deepEqual(tasks.map((t) => t.labels.tributary_task_state), ['running', 'running']);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const steps = prometheusName(M.stepRecords, 'counter');
    assert.equal(sumSamples(later, steps, { tributary_step_id: 'non-empty', tributary_direction: 'in' }), RECORDS, 'records into step non-empty');
    assert.equal(sumSamples(later, steps, { tributary_step_id: 'non-empty', tributary_direction: 'out' }), RECORDS, 'records out of step non-empty');
  });
});
