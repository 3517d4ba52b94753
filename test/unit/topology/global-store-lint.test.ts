import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadTopologyText, type LintKind } from '../../../topology';

const file = path.resolve(__dirname, 'global-store-inline.yaml');

/** A topology with a global store `pins` filled from source `images`; `lines` replace parts of it per row. */
function topology(overrides: { stores?: string[]; pipelines?: string[] } = {}): string {
  return [
    'name: gs',                                                     // 1
    'sources:',                                                     // 2
    '  images: {topic: images, value: json}',                       // 3
    '  clicks: {topic: clicks, value: json}',                       // 4
    'stores:',                                                      // 5
    ...(overrides.stores ?? ['  pins: {kind: key-value, global: images}']), // 6
    'pipelines:',                                                   // 7
    ...(overrides.pipelines ?? [
      '  enrich:',                                                  // 8
      '    from: clicks',                                           // 9
      '    steps:',                                                 // 10
      '      - id: with-pin',                                       // 11
      '        join-stream-table: {table: pins, key: value.pin, into: pin}', // 12
      '    to: out',                                                // 13
    ]),
    'sinks:',
    '  out: {topic: out, value: json}',
  ].join('\n');
}

const enrichWith = (step: string): string[] => ['  enrich:', '    from: clicks', '    steps:', '      - id: s', `        ${step}`, '    to: out'];

/** Each row: the file's problems, in order, as [line, col, kind, a word of the message]. */
const table: Array<{ name: string; text: string; problems: Array<[number, number, LintKind, string]> }> = [
  {
    name: 'a global store filled from an unknown source',
    text: topology({ stores: ['  pins: {kind: key-value, global: imagez}'] }),
    problems: [[6, 35, 'unknown-reference', "unknown source 'imagez' (did you mean 'images'?)"]],
  },
  {
    name: 'a global store of kind window (no store is)',
    text: topology({ stores: ['  pins: {kind: window, retention: 1h, global: images}'] }),
    problems: [[6, 16, 'option', "kind 'window' is not supported"], [6, 24, 'unknown-key', 'retention is no longer supported']],
  },
  {
    name: 'a global store with a changelog',
    text: topology({ stores: ['  pins: {kind: key-value, global: images, changelog: true}'] }),
    problems: [[6, 43, 'option', "takes no 'changelog'"]],
  },
  {
    name: 'a global store with a cache kind',
    text: topology({ stores: ['  pins: {kind: key-value, global: images, cache: objects}'] }),
    problems: [[6, 43, 'option', "global store 'pins' takes no 'cache'"]],
  },
  {
    name: 'a global store with a value format',
    text: topology({ stores: ['  pins: {kind: key-value, global: images, format: structured-clone}'] }),
    problems: [[6, 43, 'option', "global store 'pins' takes no 'format'"]],
  },
  {
    name: 'a task store with a format that does not exist',
    text: topology({ stores: ['  pins: {kind: key-value, global: images}', '  seen: {format: msgpack}'] }),
    problems: [[7, 18, 'option', 'msgpack']],
  },
  {
    name: "a pipeline that reads the global store's source",
    text: topology({ pipelines: [...enrichWith('join-stream-table: {table: pins, key: value.pin, into: pin}'), '  raw:', '    from: images', '    to: out'] }),
    problems: [[15, 11, 'option', "pipeline 'raw' reads source 'images', whose topic images fills global store 'pins'"]],
  },
  {
    name: "a pipeline that reads another source on the global store's topic",
    text: topology({ pipelines: enrichWith('filter: {expression: "true"}') }).replace('  clicks: {topic: clicks', '  clicks: {topic: images'),
    problems: [[9, 11, 'option', "whose topic images fills global store 'pins'"]],
  },
  {
    name: 'a step that writes a global store (aggregate)',
    text: topology({ pipelines: enrichWith('aggregate-count: {store: pins}') }),
    problems: [[12, 34, 'option', "step 's' (aggregate-count) may write store 'pins', but 'pins' is a global store, read-only to steps"]],
  },
  {
    name: 'a step that writes a global store (table-materialize)',
    text: topology({ pipelines: enrichWith('table-materialize: {store: pins}') }),
    problems: [[12, 36, 'option', 'read-only to steps']],
  },
  {
    name: 'an unknown store is still an unknown reference, not a global-store problem',
    text: topology({ pipelines: enrichWith('join-stream-table: {table: pinz, key: value.pin, into: pin}') }),
    problems: [[12, 36, 'unknown-reference', "unknown store 'pinz'"]],
  },
];

describe('global store lint', () => {
  for (const row of table) {
    it(`reports ${row.name} at the offending node`, () => {
      const { topology: compiled, problems } = loadTopologyText(row.text, file, { env: {} });
      assert.equal(compiled, undefined);
      assert.deepEqual(problems.map((p) => [p.line, p.col, p.kind]), row.problems.map(([l, c, k]) => [l, c, k]),
        problems.map((p) => `${p.line}:${p.col} ${p.kind} ${p.message}`).join('\n'));
      problems.forEach((p, i) => assert.ok(p.message.includes(row.problems[i][3]), `'${p.message}' should mention ${row.problems[i][3]}`));
    });
  }

  it('compiles a global store outside every sub-topology: no changelog, no source node, no co-partitioning', () => {
    const { topology: compiled, problems } = loadTopologyText(topology(), file, { env: {} });
    assert.deepEqual(problems, []);
    assert.ok(compiled);
    assert.deepEqual(compiled.stores.pins.global, { source: 'images', topic: 'images' });
    assert.equal(compiled.stores.pins.changelog, false);
    assert.equal(compiled.nodes.images, undefined, 'the global source feeds no task');
    assert.deepEqual(compiled.subTopologies.map((s) => ({ topics: s.sourceTopics, stores: s.stores })), [{ topics: ['clicks'], stores: [] }]);
    const step = compiled.nodes['with-pin'];
    assert.ok(step.kind === 'processor');
    assert.deepEqual(step.stores, ['pins']);
  });

  it('needs no repartition for a lookup in a global store after a key change', () => {
    const { topology: compiled, problems } = loadTopologyText(topology({ pipelines: [
      '  enrich:', '    from: clicks', '    steps:',
      '      - id: rekey', '        select-key: {expression: value.pin}',
      '      - id: with-pin', '        join-stream-table: {table: pins, into: pin}',
      '    to: out',
    ] }), file, { env: {} });
    assert.deepEqual(problems, []);
    assert.deepEqual(compiled?.repartitionTopics, []);
  });
});
