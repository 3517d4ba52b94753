import { strict as assert } from 'node:assert';
import { groupByCompression, topicCompression } from '../../../runtime/kafka/topic-compression';
import type { CompiledTopology } from '../../../topology';

function topology(sinks: Record<string, { topic: string; compression?: 'none' | 'gzip' }>, processing?: 'none' | 'gzip'): CompiledTopology {
  return {
    sinks: Object.fromEntries(Object.entries(sinks).map(([name, s]) => [name, { name, ...s }])),
    processing: { deadLetterTopic: 'dlq', ...(processing ? { compression: processing } : {}) },
  } as unknown as CompiledTopology;
}

describe('topicCompression', () => {
  it('sink setting, then processing.compression (also for DLQ, repartition, changelog), then the code fallback', () => {
    const c = topicCompression(topology({ a: { topic: 'ta', compression: 'gzip' }, b: { topic: 'tb', compression: 'none' }, c: { topic: 'tc' } }), 'gzip');
    assert.equal(c('ta'), 'gzip');
    assert.equal(c('tb'), 'none', "the sink's own none wins over the fallback");
    assert.equal(c('tc'), 'gzip', 'no file setting: the code fallback');
    assert.equal(c('dlq'), 'gzip');
    const p = topicCompression(topology({ a: { topic: 'ta', compression: 'gzip' }, b: { topic: 'tb' } }, 'none'), 'gzip');
    assert.equal(p('ta'), 'gzip');
    assert.equal(p('tb'), 'none', 'processing.compression wins over the code fallback');
    assert.equal(p('x-changelog'), 'none');
    assert.equal(topicCompression(topology({ c: { topic: 'tc' } }))('tc'), 'none');
  });
});

describe('groupByCompression', () => {
  it('puts each topic in one sendBatch per codec, keeping order within topics', () => {
    const m = (v: string) => ({ value: v });
    const chunk = [
      { topic: 'ta', messages: [m('a1'), m('a2')] },
      { topic: 'tb', messages: [m('b1')] },
      { topic: 'tc', messages: [m('c1')] },
    ];
    const codec = (t: string) => (t === 'tb' ? 'none' as const : 'gzip' as const);
    assert.deepEqual(groupByCompression(chunk, codec), [
      { compression: 'gzip', topicMessages: [chunk[0], chunk[2]] },
      { compression: 'none', topicMessages: [chunk[1]] },
    ]);
    assert.deepEqual(groupByCompression(chunk, 'gzip'), [{ compression: 'gzip', topicMessages: chunk }]);
  });
});
