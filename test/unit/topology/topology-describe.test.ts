import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeJson, describeTopology, loadTopology, type CompiledTopology } from '../../../topology';

const root = path.resolve(__dirname, '../../../..');

function load(relative: string): CompiledTopology {
  const { topology, problems } = loadTopology(path.join(root, relative), { env: {} });
  assert.deepEqual(problems, []);
  return topology as CompiledTopology;
}

describe('describeTopology', () => {
  it('prints a linear topology as one sub-topology, exactly', () => {
    assert.equal(describeTopology(load('test/fixtures/topologies/valid/linear.yaml')), [
      'Topology: linear',
      'Sub-topologies:',
      '  Sub-topology: 0',
      '    Source: clicks (topic: clicks)',
      '      --> only-home',
      '    Processor: only-home (operator: filter)',
      "      types: key string, value dyn (source 'clicks' is json: its values are dyn)",
      '      --> slim',
      '      <-- clicks',
      '    Processor: slim (operator: map)',
      '      types: key string, value {user: dyn, pin: dyn}',
      '      --> debug',
      '      <-- only-home',
      '    Processor: debug (operator: peek, onError: skip)',
      '      types: key string, value {user: dyn, pin: dyn}',
      '      --> home-clicks',
      '      <-- slim',
      '    Sink: home-clicks (topic: home-clicks)',
      '      <-- debug',
      '',
    ].join('\n'));
  });

  it('prints branches as side outputs and merges as several predecessors, exactly', () => {
    assert.equal(describeTopology(load('examples/branching.yaml')), [
      'Topology: engagement-router',
      'Sub-topologies:',
      '  Sub-topology: 0',
      '    Source: events (topic: engagement-json)',
      '      --> audit-copy',
      '    Processor: audit-copy (operator: to)',
      "      types: key string, value dyn (source 'events' is json: its values are dyn)",
      '      --> split',
      '      ~~> audit (side output: audit)',
      '      <-- events',
      '    Processor: split (operator: branch)',
      "      types: key string, value dyn (source 'events' is json: its values are dyn)",
      '      --> only-clicks',
      '      ~~> hide-view (side output: hides)',
      '      ~~> saves (side output: saves)',
      '      <-- audit-copy',
      '    Processor: only-clicks (operator: filter)',
      "      types: key string, value dyn (source 'events' is json: its values are dyn)",
      '      --> tag',
      '      <-- split',
      '    Processor: hide-view (operator: map)',
      '      types: key string, value {user: dyn, pin: dyn, negative: bool}',
      '      --> hidden',
      '      --> tag',
      '      <-- split',
      '    Processor: tag (operator: map)',
      '      types: key string, value {user: dyn, kind: string}',
      '      --> signal-out',
      '      <-- only-clicks, hide-view',
      '    Sink: audit (topic: engagement-audit)',
      '      <-- audit-copy',
      '    Sink: saves (topic: engagement-saves)',
      '      <-- split',
      '    Sink: hidden (topic: engagement-hides)',
      '      <-- hide-view',
      '    Sink: signal-out (topic: engagement-signals)',
      '      <-- tag',
      '',
    ].join('\n'));
  });

  it('splits at a repartition topic into two sub-topologies, exactly', () => {
    assert.equal(describeTopology(load('examples/repartition.yaml')), [
      'Topology: pin-saves',
      'Sub-topologies:',
      '  Sub-topology: 0',
      '    Source: engagements (topic: engagement)',
      '      --> only-saves',
      '    Processor: only-saves (operator: filter)',
      '      types: key string, value {eventId: string, userId: string, pinId: string, action: string, eventTime: double, surface: string, dwellMs: double, attributes: map(string, string)}',
      '      --> by-pin',
      '      <-- engagements',
      '    Processor: by-pin (operator: select-key)',
      '      types: key string, value {eventId: string, userId: string, pinId: string, action: string, eventTime: double, surface: string, dwellMs: double, attributes: map(string, string)}',
      '      --> save-count-repartition-sink',
      '      <-- only-saves',
      '    Sink: save-count-repartition-sink (topic: pin-saves-save-count-repartition, repartition)',
      '      <-- by-pin',
      '  Sub-topology: 1 (stores: saves-by-pin)',
      '    Source: save-count-repartition-source (topic: pin-saves-save-count-repartition, repartition)',
      '      --> save-count',
      '    Processor: save-count (operator: aggregate-count, stores: saves-by-pin)',
      '      types: key dyn, value double',
      '      --> pin-save-counts',
      '      <-- save-count-repartition-source',
      '    Sink: pin-save-counts (topic: pin-save-counts)',
      '      <-- save-count',
      'Stores:',
      '  saves-by-pin (key-value, changelog: pin-saves-saves-by-pin-changelog)',
      'Repartition topics:',
      '  pin-saves-save-count-repartition (sub-topology 0 -> 1, before save-count)',
      '',
    ].join('\n'));
  });

  it('prints a Mermaid flowchart', () => {
    assert.equal(describeTopology(load('test/fixtures/topologies/valid/linear.yaml'), 'mermaid'), [
      'flowchart LR',
      '  subgraph st0["Sub-topology 0"]',
      '    n0[/"clicks<br/>clicks"/]',
      '    n1["only-home<br/>filter"]',
      '    n2["slim<br/>map"]',
      '    n3["debug<br/>peek"]',
      '    n4[\\"home-clicks<br/>home-clicks"\\]',
      '  end',
      '  n0 --> n1',
      '  n1 --> n2',
      '  n2 --> n3',
      '  n3 --> n4',
      '',
    ].join('\n'));
  });

  it('gives a machine-readable graph with nodes, edges, stores and topics', () => {
    const json = describeJson(load('examples/repartition.yaml')) as {
      nodes: Array<{ id: string; kind: string; operator?: string; subTopology: number }>;
      edges: Array<{ from: string; to: string; kind: string }>;
      stores: Array<{ name: string }>;
      topics: { repartition: Array<{ topic: string }>; changelog: string[]; sources: Array<{ topic: string; value: string }> };
    };
    assert.deepEqual(json.nodes.map((n) => [n.id, n.kind, n.operator ?? null, n.subTopology]), [
      ['engagements', 'source', null, 0],
      ['only-saves', 'processor', 'filter', 0],
      ['by-pin', 'processor', 'select-key', 0],
      ['save-count-repartition-sink', 'repartition-sink', null, 0],
      ['save-count-repartition-source', 'repartition-source', null, 1],
      ['save-count', 'processor', 'aggregate-count', 1],
      ['pin-save-counts', 'sink', null, 1],
    ]);
    assert.deepEqual(json.edges.map((e) => `${e.from}->${e.to}`), [
      'engagements->only-saves', 'only-saves->by-pin', 'by-pin->save-count-repartition-sink',
      'save-count-repartition-source->save-count', 'save-count->pin-save-counts',
    ]);
    assert.deepEqual(json.stores.map((s) => s.name), ['saves-by-pin']);
    assert.deepEqual(json.topics.repartition.map((r) => r.topic), ['pin-saves-save-count-repartition']);
    assert.deepEqual(json.topics.changelog, ['pin-saves-saves-by-pin-changelog']);
    assert.deepEqual(json.topics.sources, [{ name: 'engagements', topic: 'engagement', key: 'string', value: 'avro' }]);
  });

  it('takes topic names from the environment', () => {
    const { topology } = loadTopology(path.join(root, 'examples/repartition.yaml'), { env: { ENGAGEMENT_TOPIC: 'eng-v2' } });
    assert.equal(topology?.sources.engagements.topic, 'eng-v2');
  });
});
