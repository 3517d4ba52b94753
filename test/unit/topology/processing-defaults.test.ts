import { strict as assert } from 'node:assert';
import { loadTopologyText } from '../../../topology/topology-loader';
import { topologySpec } from '../../../topology/topology-spec';
import { fieldDefaults } from '../../../topology/internal/spec-checker';

const body = 'kafka: {brokers: [127.0.0.1:9092]}\nsources: {in: {topic: in, value: json}}\npipelines: {p: {from: in, to: out}}\nsinks: {out: {topic: out, value: json}}\n';

describe('processing defaults (the spec is their one owner)', () => {
  it('gives a file without a processing section the spec\'s defaults, as one with an empty section', () => {
    const absent = loadTopologyText(`name: a\n${body}`, '/tmp/defaults-a.yaml').topology!;
    const empty = loadTopologyText(`name: a\nprocessing: {}\n${body}`, '/tmp/defaults-a.yaml').topology!;
    assert.deepEqual(absent.processing, empty.processing);
    const spec = fieldDefaults(topologySpec.fields!.processing);
    assert.equal(absent.processing.commitIntervalMs, spec.commitInterval);
    assert.equal(absent.processing.sessionTimeoutMs, spec.sessionTimeout);
    assert.equal(absent.processing.maxEventTimeSkewMs, spec.maxEventTimeSkew);
    assert.equal(absent.processing.maxTaskIdleMs, spec.maxTaskIdle);
    assert.equal(absent.processing.guarantee, spec.guarantee);
    assert.equal(absent.processing.deadLetterTopic, 'a-dlq');
  });
});
