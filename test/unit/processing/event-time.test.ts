import { strict as assert } from 'node:assert';
import { loadTopologyText } from '../../../topology/topology-loader';
import type { CompiledTopology } from '../../../topology/compiled-topology';
import { eventTimeReader, EventTimeError } from '../../../runtime/processing/event-time';
import { buildTopicCodecs } from '../../../runtime/kafka/topic-codecs';
import { decodeBatch } from '../../../runtime/kafka/record-decoder';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';
import type { StreamRecord } from '../../../core/stream-record';

function topology(timestamp: string): CompiledTopology {
  const { topology: t, problems } = loadTopologyText(`name: app
sources:
  in: {topic: in, value: json, timestamp: ${timestamp}}
pipelines:
  p: {from: in, to: out}
sinks:
  out: {topic: out, value: json}
`, '/tmp/event-time.yaml');
  assert.deepEqual(problems, []);
  return t!;
}

const record = (value: unknown): StreamRecord => ({ key: 'k', value, timestamp: 5, headers: {}, source: { topic: 'in', partition: 0, offset: '7' } });
const iso = '2026-12-03T10:00:00.250Z';
const isoMs = Date.parse(iso);

describe('event time (runtime/processing/event-time.ts, the one rule)', () => {
  it('keeps the Kafka record timestamp by default', () => {
    const { topology: t, problems } = loadTopologyText('name: app\nsources: {in: {topic: in, value: json}}\npipelines: {p: {from: in, to: out}}\nsinks: {out: {topic: out, value: json}}\n', '/tmp/t.yaml');
    assert.deepEqual(problems, []);
    assert.equal(eventTimeReader(t!.sources.in), undefined);
  });

  it('reads a dotted field path holding epoch ms, a numeric string or an ISO-8601 string', () => {
    const read = eventTimeReader(topology('{field: meta.ts}').sources.in)!;
    assert.equal(read(record({ meta: { ts: 1234 } })), 1234);
    assert.equal(read(record({ meta: { ts: '1234' } })), 1234);
    assert.equal(read(record({ meta: { ts: iso } })), isoMs);
    assert.equal(read(record({ meta: { ts: 99n } })), 99);
  });

  it('evaluates an expression giving a number, an ISO string or a CEL timestamp', () => {
    assert.equal(eventTimeReader(topology("{expression: 'value.seconds * 1000'}").sources.in)!(record({ seconds: 3 })), 3000);
    assert.equal(eventTimeReader(topology('{expression: value.at}').sources.in)!(record({ at: iso })), isoMs);
    assert.equal(eventTimeReader(topology('{expression: timestamp(value.at)}').sources.in)!(record({ at: iso })), isoMs);
  });

  it('refuses a record with no event time, naming the source and the rule but not the value', () => {
    const read = eventTimeReader(topology('{field: meta.ts}').sources.in)!;
    for (const value of [{}, { meta: null }, { meta: { ts: 'SECRET not a date' } }, { meta: { ts: true } }, null]) {
      assert.throws(() => read(record(value)), (error: Error) => {
        assert.ok(error instanceof EventTimeError);
        assert.match(error.message, /^source in: event-time field 'meta\.ts' gave .*, not a timestamp/);
        assert.ok(!error.message.includes('SECRET'));
        return true;
      });
    }
  });

  it('stamps decoded records in production: a dotted path and an ISO string reach the steps, a record without one is poison', async () => {
    const codecs = await buildTopicCodecs(topology('{field: meta.ts}'));
    const message = (offset: string, value: unknown) => ({ key: Buffer.from('k'), value: Buffer.from(JSON.stringify(value)), timestamp: '5', offset, headers: {} });
    const decoded = await decodeBatch(codecs.decoding.get('in')!, 0, [
      message('0', { meta: { ts: iso } }), message('1', { meta: {} }), message('2', { meta: { ts: 77 } }),
    ] as never);
    assert.deepEqual(decoded.records.map((r) => [r.source?.offset, r.timestamp]), [['0', isoMs], ['2', 77]]);
    assert.deepEqual(decoded.poison.map((p) => [p.offset, p.stage]), [['1', 'deserialize']]);
  });

  it('stamps what the test driver pipes by the same rule', async () => {
    const driver = await TopologyTestDriver.open(topology('{field: meta.ts}'));
    try {
      await driver.pipe('in', [{ key: 'a', value: { meta: { ts: iso } } }, { key: 'b', value: { meta: {} } }]);
      assert.deepEqual(driver.readOutput('out').map((r) => [r.key, r.timestamp]), [['a', isoMs]]);
      assert.equal(driver.failures.length, 1);
      assert.ok(driver.failures[0].error instanceof EventTimeError);
    } finally {
      await driver.close();
    }
  });
});
