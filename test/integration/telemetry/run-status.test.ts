import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTopics, KAFKA_BROKERS, randomTopic, requireKafka, testKafka, IDEMPOTENT } from '../../helpers/services';
import { startTributary, type TributaryProcess } from '../../helpers/tributary-process';
import { metricNames as M, prometheusName } from '../../../runtime/telemetry/metric-names';
import { metricAtLeast, waitForMetrics } from './scrape-helpers';
import { freePort } from '../../helpers/free-port';

const RECORDS = 200;


/**
 * The status line of `tributary run` over the real broker, with its output a
 * pipe (not a terminal): plain lines at the asked interval, in the log's own
 * shape, with the records counted; none with --no-status.
 */
describe('tributary run status line', function () {
  this.timeout(180_000);
  const kafka = testKafka('run-status-it');
  const running: TributaryProcess[] = [];
  const dirs: string[] = [];

  before(requireKafka);
  afterEach(async () => {
    for (const p of running.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A filter topology over fresh topics holding RECORDS input records; returns its file. */
  async function prepare(): Promise<{ file: string; input: string }> {
    const input = randomTopic('status-in');
    const output = randomTopic('status-out');
    await createTopics(kafka, [{ topic: input, partitions: 2 }, { topic: output, partitions: 2 }]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-run-status-'));
    dirs.push(dir);
    const file = path.join(dir, 'topology.yaml');
    fs.writeFileSync(file, [
      `name: ${randomTopic('status-app')}`,
      'kafka:',
      `  brokers: ${KAFKA_BROKERS.join(',')}`,
      'processing:',
      '  guarantee: at_least_once',
      `  stateDir: ${path.join(dir, 'state')}`,
      'sources:',
      `  lines: {topic: ${input}, key: string, value: json}`,
      'pipelines:',
      '  pass:',
      '    from: lines',
      '    steps:',
      '      - id: non-empty',
      '        filter: {expression: size(value.text) > 0}',
      '    to: out',
      'sinks:',
      `  out: {topic: ${output}, key: string, value: json}`,
      '',
    ].join('\n'));
    const producer = kafka.producer(IDEMPOTENT);
    await producer.connect();
    try {
      const eventTime = Date.now() - 1000;
      await producer.send({
        topic: input,
        messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i % 13}`, value: JSON.stringify({ text: `line ${i}` }), timestamp: String(eventTime) })),
      });
    } finally {
      await producer.disconnect();
    }
    return { file, input };
  }

  it('prints plain status lines with the records counted when stderr is not a terminal', async () => {
    const { file } = await prepare();
    const proc = startTributary(['run', file, '--metrics-port', String(await freePort()), '--status-interval', '0.5']);
    running.push(proc);
    // Every record in and out to the sink (internal topics counted apart), lag drained, latency measured (event times are 1 s old), both tasks running.
    const settled = new RegExp(`^\\S+Z INFO  \\[status\\] in ${RECORDS} \\([\\d,]+/s\\) out ${RECORDS} \\([\\d,]+/s\\) internal [\\d,]+ \\([\\d,]+/s\\) \\| lag 0 \\| e2e p50 (\\d+ms|\\d+\\.\\ds) p99 (\\d+ms|\\d+\\.\\ds) \\| scoring batch - \\| dlq 0 \\| tasks 2 running$`, 'm');
    await proc.waitFor(settled, 90_000);
    const output = proc.output();
    assert.doesNotMatch(output, /\x1b/, 'no escape codes when not on a terminal');
    const statusLines = output.split('\n').filter((l) => l.includes('[status]'));
    for (const l of statusLines) assert.match(l, /^\S+Z INFO {2}\[status\] in \d[\d,]* \([\d,-]+\/s\) out /, `every status line is whole: ${l}`);
    const p50 = /e2e p50 (\d+)ms|e2e p50 (\d+\.\d)s/.exec(output.split('\n').find((l) => settled.test(l))!)!;
    const seconds = p50[1] !== undefined ? Number(p50[1]) / 1000 : Number(p50[2]);
    assert.ok(seconds >= 0.5 && seconds < 60, `e2e p50 ${seconds}s for records whose event time is 1 s old`);
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, proc.output().slice(-2000));
    assert.match(proc.output(), /application stopped/);
  });

  it('prints none with --no-status', async () => {
    const { file, input } = await prepare();
    const port = await freePort();
    const proc = startTributary(['run', file, '--metrics-port', String(port), '--no-status', '--status-interval', '0.2']);
    running.push(proc);
    await proc.waitFor(/application started/, 60_000);
    // Group join and processing take seconds: many 0.2 s periods pass before every record is counted
    // (at least once: a batch replayed after a retriable commit failure counts again).
    const scrape = await waitForMetrics(`http://127.0.0.1:${port}/metrics`, metricAtLeast(prometheusName(M.consumed, 'counter'), RECORDS, { messaging_destination_name: input }), { timeoutMs: 90_000 });
    assert.doesNotMatch(proc.output(), /\[status\]/);
    // More than once only where a replay says so in the log.
    if (metricAtLeast(prometheusName(M.consumed, 'counter'), RECORDS + 1, { messaging_destination_name: input })(scrape) === true) {
      assert.match(proc.output(), /work since the last commit given up/, `records consumed twice without a replay:\n${proc.output().slice(-3000)}`);
    }
  });
});
