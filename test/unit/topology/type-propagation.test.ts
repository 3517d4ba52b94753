import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeTopology, loadTopology, loadTopologyText, type CompiledTopology, type ProcessorNode } from '../../../topology';

const fixtures = path.resolve(__dirname, '../../../../test/fixtures/topologies');

/** Each processor's `types` as describe gives them, by step id. */
function stepTypes(topology: CompiledTopology | undefined): Record<string, ProcessorNode['types']> {
  assert.ok(topology);
  return Object.fromEntries(Object.values(topology.nodes).filter((n): n is ProcessorNode => n.kind === 'processor').map((n) => [n.id, n.types]));
}

function load(text: string): ReturnType<typeof loadTopologyText> {
  return loadTopologyText(text, path.join(fixtures, 'valid', 'inline.yaml'), { env: {} });
}

describe('types through a pipeline', () => {
  it('types aggregates, joins, windows, maps, flat-maps, select-key and a declared custom output', () => {
    const { topology, problems } = loadTopology(path.join(fixtures, 'valid', 'typed-steps.yaml'), { env: {} });
    assert.deepEqual(problems, []);
    const types = stepTypes(topology);
    const click = '{userId: string, pinId: string, action: string, eventTime: double}';
    assert.deepEqual(types['count-clicks'], { key: 'string', value: `${click.slice(0, -1)}, clickCount: double}` });
    assert.equal(types['with-pin'].value, `${click.slice(0, -1)}, clickCount: double, pin: ${click}}`);
    assert.deepEqual(types['per-minute'], { key: '{key: string, window: {start: double, end: double}}', value: 'double' });
    assert.equal(types['click-after-impression'].value, `{left: ${click}, right: ${click}}`);
    assert.equal(types.shape.value, '{user: string, pin: string, n: double}');
    assert.equal(types.words.value, 'string');
    assert.equal(types['by-word'].key, 'string');
    assert.equal(types.enrich.value, '{userId: string, score: double}');
  });

  /** Pipeline `enrich` joins clicks with the non-global `pin-table`, which pipeline `fill` fills (its input lines given). */
  const tableFile = (enrichTo: string, fillInput: string, fill: string): ReturnType<typeof load> => load([
    'name: table-types',
    'sources:',
    '  clicks: { topic: clicks, value: { format: avro, schema: ../schemas/click.avsc } }',
    '  pins: { topic: pins, value: { format: avro, schema: ../schemas/click.avsc } }',
    'stores:',
    '  pin-table: {}',
    'pipelines:',
    '  enrich:',
    '    from: clicks',
    '    steps:',
    '      - { id: with-pin, join-stream-table: { table: pin-table, into: pin } }',
    `    to: ${enrichTo}`,
    '  fill:',
    fillInput,
    '    steps:',
    `      - { id: fill-table, table-materialize: ${fill} }`,
    '    to: out',
    'sinks:',
    '  out: { topic: out, value: json }',
  ].join('\n'));
  const click = '{userId: string, pinId: string, action: string, eventTime: double}';

  it('types a join with a non-global table from what table-materialize writes, whichever pipeline comes first', () => {
    const whole = tableFile('out', '    from: pins', '{ store: pin-table }');
    assert.deepEqual(whole.problems, []);
    assert.equal(stepTypes(whole.topology)['with-pin'].value, `${click.slice(0, -1)}, pin: ${click}}`);
    const field = tableFile('out', '    from: pins', '{ store: pin-table, value: value.action }');
    assert.deepEqual(field.problems, []);
    assert.equal(stepTypes(field.topology)['with-pin'].value, `${click.slice(0, -1)}, pin: string}`);
  });

  it('leaves a table dyn when its writer reads from the join (typing it first would need a cycle)', () => {
    const { topology, problems } = tableFile('fill', '    # fed by enrich', '{ store: pin-table }');
    assert.deepEqual(problems, []);
    assert.equal(stepTypes(topology)['with-pin'].value, `${click.slice(0, -1)}, pin: dyn}`);
  });

  it('says why a value is dyn: json sources, custom operators without a declared output, inputs that differ', () => {
    const { topology, problems } = load([
      'name: dyn-reasons',
      'sources:',
      '  a: { topic: a, value: json }',
      '  b: { topic: b, value: { format: avro, schema: ../schemas/click.avsc } }',
      'pipelines:',
      '  from-json:',
      '    from: a',
      '    steps: [{ id: pass, filter: { expression: value.x > 1 } }]',
      '    to: out',
      '  custom:',
      '    from: b',
      '    steps: [{ id: explode, operator: ../operators/explode.js }, { id: after, filter: { expression: value.anything } }]',
      '    to: out',
      '  both:',
      '    from: [a, b]',
      '    steps: [{ id: either, filter: { expression: value.whatever == 1 } }]',
      '    to: out',
      'sinks:',
      '  out: { topic: out, value: json }',
    ].join('\n'));
    assert.deepEqual(problems, []);
    const types = stepTypes(topology);
    assert.deepEqual(types.pass, { key: 'string', value: 'dyn', note: "source 'a' is json: its values are dyn" });
    assert.deepEqual(types.explode, { key: 'string', value: 'dyn', note: 'custom operator ../operators/explode.js declares no output type' });
    assert.equal(types.after.note, 'custom operator ../operators/explode.js declares no output type');
    assert.equal(types.either.note, "the pipeline's inputs have different value types");
    assert.match(describeTopology(topology as CompiledTopology), /Processor: explode \(operator: \.\.\/operators\/explode\.js\)\n {6}types: key string, value dyn \(custom operator \.\.\/operators\/explode\.js declares no output type\)\n/);
  });

  it('follows records routed by branch and to: into other pipelines, and forgets the key type behind a repartition', () => {
    const { topology, problems } = load([
      'name: routed',
      'sources:',
      '  b: { topic: b, value: { format: avro, schema: ../schemas/click.avsc } }',
      'stores:',
      '  counts: {}',
      'pipelines:',
      '  split:',
      '    from: b',
      '    steps:',
      '      - id: route',
      '        branch: { branches: [{ when: value.action == "save", pipeline: saves }] }',
      '      - id: slim',
      '        map: { value: \'{"user": value.userId}\' }',
      '    to: users',
      '  saves:',
      '    steps: [{ id: saved, filter: { expression: value.pinId != value.usrId } }]',
      '    to: out',
      '  users:',
      '    steps:',
      '      - { id: rekey, select-key: { expression: value.user } }',
      '      - { id: count, aggregate-count: { store: counts } }',
      '    to: out',
      'sinks:',
      '  out: { topic: out, value: json }',
    ].join('\n'));
    assert.equal(topology, undefined);
    assert.deepEqual(problems.map((p) => [p.line, p.message.split(' (')[0]]), [[16, "value has no field 'usrId' in schema Click"]]);
    const { topology: fixed } = load(['name: routed2', 'sources:', '  b: { topic: b, value: { format: avro, schema: ../schemas/click.avsc } }', 'stores:', '  counts: {}',
      'pipelines:', '  users:', '    from: b', '    steps:', '      - { id: rekey, select-key: { expression: value.userId } }', '      - { id: count, aggregate-count: { store: counts } }',
      '    to: out', 'sinks:', '  out: { topic: out, value: json }'].join('\n'));
    assert.deepEqual(stepTypes(fixed).count, { key: 'dyn', value: 'double' });
  });

  it("keeps the input's types through a custom operator that declares value: 'input'", () => {
    const { problems } = load([
      'name: passes', 'sources:', '  b: { topic: b, value: { format: avro, schema: ../schemas/click.avsc } }', 'pipelines:', '  main:', '    from: b',
      '    steps: [{ id: keep, operator: ../operators/typed-pass.js }, { id: after, filter: { expression: value.acton == "save" } }]',
      '    to: out', 'sinks:', '  out: { topic: out, value: json }',
    ].join('\n'));
    assert.deepEqual(problems.map((p) => [p.line, p.kind, p.message]), [[7, 'expression', "value has no field 'acton' in schema Click (did you mean 'action'?)"]]);
  });
});
