import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintKinds, loadTopology, loadTopologyText, type LintKind } from '../../../topology';

const fixtures = path.resolve(__dirname, '../../../../test/fixtures/topologies');

/** One row per invalid file: every problem it must report, in order, with position and kind (and a word of the message). */
const table: Array<{ file: string; problems: Array<[line: number, col: number, kind: LintKind, says: string]> }> = [
  { file: '01-syntax-unclosed-flow.yaml', problems: [[4, 1, 'syntax', 'Flow map']] },
  { file: '02-unknown-top-level-key.yaml', problems: [[14, 1, 'unknown-key', "did you mean 'sources'"]] },
  { file: '03-missing-name.yaml', problems: [[1, 1, 'missing-key', "'name'"]] },
  { file: '04-source-missing-topic.yaml', problems: [[4, 5, 'missing-key', "'topic'"]] },
  { file: '05-sources-is-a-list.yaml', problems: [[3, 3, 'wrong-type', 'found a list'], [6, 3, 'missing-key', 'has no input']] },
  { file: '06-unknown-operator.yaml', problems: [[11, 9, 'unknown-operator', "did you mean 'filter'"]] },
  { file: '07-unknown-source.yaml', problems: [[8, 11, 'unknown-reference', "did you mean 'events'"]] },
  { file: '08-unknown-sink.yaml', problems: [[9, 15, 'unknown-reference', "'audit'"]] },
  { file: '09-unknown-store.yaml', problems: [[15, 18, 'unknown-reference', "did you mean 'counts'"]] },
  { file: '10-duplicate-step-id.yaml', problems: [[13, 13, 'duplicate', 'line 10, column 13']] },
  { file: '11-duplicate-yaml-key.yaml', problems: [[6, 5, 'duplicate', "duplicate key 'topic'"]] },
  { file: '12-duplicate-name-across-kinds.yaml', problems: [[7, 3, 'duplicate', "source 'events'"], [8, 11, 'cycle', 'events -> events']] },
  { file: '13-cycle.yaml', problems: [[8, 20, 'cycle', 'a -> b -> a']] },
  { file: '14-expression-syntax.yaml', problems: [[12, 36, 'expression', 'does not parse']] },
  { file: '15-expression-unknown-name.yaml', problems: [[12, 40, 'expression', "unknown name 'action'"]] },
  { file: '16-expression-unknown-avro-field.yaml', problems: [[14, 29, 'expression', "no field 'acton'"]] },
  { file: '17-schema-file-missing.yaml', problems: [[7, 15, 'schema', 'not found']] },
  { file: '18-schema-invalid-avro.yaml', problems: [[5, 35, 'schema', 'not a valid Avro schema']] },
  { file: '75-protobuf-schema-errors.yaml', problems: [
    [5, 39, 'schema', "does not compile: broken.proto:5:3: cannot find `strng`"],
    [8, 12, 'missing-key', "the protobuf format needs 'message'"],
    [11, 72, 'schema', "declares no message shop.v1.Ordr (did you mean 'shop.v1.Order'?)"],
    [14, 39, 'schema', "schema file '../schemas/nowhere.proto' not found"],
    [22, 27, 'option', "'message' applies only to the protobuf format, not json"],
  ] },
  { file: '76-json-schema-errors.yaml', problems: [
    [8, 42, 'schema', 'is not a valid JSON Schema: schema is invalid: data/properties/n/type'],
    [11, 12, 'missing-key', "the json-schema format needs 'schema'"],
    [20, 40, 'schema', "names the subject after the schema's title, but this schema has none"],
  ] },
  { file: '19-guarantee-not-one-of.yaml', problems: [[3, 14, 'option', "did you mean 'exactly_once'"]] },
  { file: '20-bad-duration.yaml', problems: [[3, 19, 'option', 'duration']] },
  { file: '21-operator-check-rejects.yaml', problems: [[11, 14, 'option', "give 'value' or 'timestamp'"]] },
  { file: '22-option-wrong-type.yaml', problems: [[12, 18, 'wrong-type', 'integer']] },
  { file: '23-missing-required-option.yaml', problems: [[11, 19, 'missing-key', "'expression'"]] },
  { file: '24-unknown-option.yaml', problems: [[12, 11, 'unknown-key', "did you mean 'label'"]] },
  { file: '25-env-without-default.yaml', problems: [[4, 12, 'env', 'TRIBUTARY_FIXTURE_UNSET_TOPIC']] },
  { file: '26-module-not-found.yaml', problems: [[11, 19, 'module', 'not found']] },
  { file: '27-module-without-spec.yaml', problems: [[11, 19, 'module', "export 'spec'"]] },
  { file: '28-pipeline-without-input.yaml', problems: [[10, 3, 'missing-key', "'orphan' has no input"]] },
  { file: '29-step-not-a-mapping.yaml', problems: [[10, 9, 'wrong-type', 'must be a mapping']] },
  { file: '30-two-operators-in-a-step.yaml', problems: [[13, 9, 'unknown-key', 'one operator']] },
  { file: '31-branch-two-targets.yaml', problems: [[13, 15, 'option', 'exactly one of']] },
  { file: '32-avro-without-schema.yaml', problems: [[6, 7, 'missing-key', "'schema'"]] },
  { file: '33-schema-on-json-format.yaml', problems: [[15, 7, 'option', 'only to the avro, protobuf and json-schema formats']] },
  { file: '34-empty-document.yaml', problems: [[1, 1, 'wrong-type', 'empty document']] },
  { file: '35-bad-on-error.yaml', problems: [[11, 18, 'option', 'dead-letter, skip, fail']] },
  { file: '36-missing-step-id.yaml', problems: [[10, 9, 'missing-key', "'id'"]] },
  { file: '37-sink-key-expression-unknown-name.yaml', problems: [[14, 35, 'expression', "unknown name 'suffix'"]] },
  { file: '39-test-record-not-matching-schema.yaml', problems: [[19, 70, 'schema', 'at value.eventTime']] },
  { file: '40-module-option-missing.yaml', problems: [[13, 19, 'module', 'not found']] },
  { file: '41-test-empty-store-item.yaml', problems: [[16, 8, 'wrong-type', 'must be a mapping, not empty']] },
  { file: '42-bad-source-on-error.yaml', problems: [[6, 14, 'option', 'dead-letter, skip, fail']] },
  { file: '43-unsupported-compression.yaml', problems: [[14, 18, 'option', "must be one of none, gzip, snappy, lz4, zstd, found 'brotli'"]] },
  { file: '44-unknown-default-compression.yaml', problems: [[3, 16, 'option', "did you mean 'gzip'"]] },
  { file: '45-bad-subject-strategy.yaml', problems: [[4, 24, 'option', 'one of topic, record, topic-record']] },
  { file: '46-auto-register-not-boolean.yaml', problems: [[4, 17, 'wrong-type', 'schemaRegistry.autoRegister must be a boolean']] },
  { file: '47-record-strategy-unnamed-schema.yaml', problems: [[18, 15, 'schema', 'this schema has no name']] },
  { file: '48-subject-strategy-without-avro.yaml', problems: [[6, 5, 'option', 'applies only to avro, protobuf and json-schema keys or values']] },
  { file: '49-fetch-bytes-too-small.yaml', problems: [[3, 27, 'option', 'processing.maxPartitionFetchBytes must be at least 1024 (bytes), got 100']] },
  { file: '50-session-timeout-too-small.yaml', problems: [[3, 19, 'option', 'processing.sessionTimeout must be at least 1s (brokers refuse less than group.min.session.timeout.ms, 6s by default), got 500ms']] },
  { file: '51-test-advance-with-records.yaml', problems: [[14, 9, 'option', "either 'advanceStreamTime' or 'source' and 'records'"], [15, 9, 'option', 'not both']] },
  { file: '52-test-input-without-source.yaml', problems: [[13, 9, 'missing-key', "missing required key 'source'"]] },
  { file: '53-yaml-alias-bomb.yaml', problems: [[6, 10, 'limit', 'aliases expand to more than 10000 YAML nodes']] },
  { file: '54-yaml-alias-cycle.yaml', problems: [[3, 54, 'cycle', 'alias *loop refers to a node that contains it']] },
  { file: '55-empty-brokers.yaml', problems: [[3, 12, 'option', 'kafka.brokers must name at least one broker (host:port), found an empty list']] },
  { file: '56-brokers-from-empty-env.yaml', problems: [[3, 12, 'option', 'found only empty text']] },
  { file: '57-illegal-topic-names.yaml', problems: [
    [3, 20, 'option', "processing.deadLetterTopic: '..' is not a legal Kafka topic name: it may not be '..'"],
    [5, 20, 'option', "sources.clicks.topic: 'analytics/clicks per minute' is not a legal Kafka topic name: it holds '/', a space"],
    [7, 3, 'option', "the changelog topic of store 'counts by user': 'illegal-topics-counts by user-changelog'"],
    [15, 13, 'option', 'is 257 characters long; Kafka allows at most 249'],
    [19, 17, 'option', "sinks.out.topic: '' is not a legal Kafka topic name: it is empty"],
    [20, 18, 'option', 'it is 250 characters long'],
  ] },
  { file: '58-window-size-zero.yaml', problems: [
    [12, 53, 'option', "steps.per-minute.size must be a positive duration, found the string '0s'"],
    [14, 49, 'option', 'steps.per-hop.size must be a positive duration'],
    [14, 61, 'option', 'steps.per-hop.advance must be a positive duration'],
  ] },
  // commitInterval: 0 on line 3 is fine: zero needs no unit.
  { file: '59-duration-without-unit.yaml', problems: [[13, 64, 'option', "steps.per-minute.grace needs a unit: write '10ms' or '10s'"]] },
  // Window stores are gone: window steps keep their windows in key-value stores (docs/decisions/0016).
  { file: '60-store-kind-window.yaml', problems: [
    [5, 23, 'option', "stores.per-minute.kind 'window' is not supported: window steps (window-tumbling, window-hopping, window-sliding, window-session) keep their windows in key-value stores; drop 'kind'"],
    [5, 31, 'unknown-key', "stores.per-minute.retention is no longer supported: a store keeps what its step keeps"],
  ] },
  // The join only reads pin-table, which table-materialize owns: allowed.
  { file: '69-exactly-once-commit-interval-too-long.yaml', problems: [[4, 19, 'option', 'processing.commitInterval must be under 60s under exactly_once (one transaction spans an interval and the broker aborts it after the 60 s transaction timeout), got 120000ms']] },
  { file: '62-group-instance-id-bad-characters.yaml', problems: [[3, 20, 'option', "processing.groupInstanceId must be 1 to 249 letters, digits, '.', '_' or '-' (Kafka's rule for group.instance.id), got 'pod 1'"]] },
  { file: '61-store-shared-by-two-steps.yaml', problems: [[22, 35, 'duplicate', "store 'counts' already holds the state of step 'per-minute' (line 20, column 35)"]] },
  // A custom operator's store option is read-write unless its spec says `access: 'read'` (or `shared`, with every other writer shared too).
  { file: '62-custom-store-shared.yaml', problems: [
    [16, 27, 'duplicate', "store 'held' already holds the state of step 'first-hold' (line 13, column 27)"],
    [27, 27, 'duplicate', "store 'together' already holds the state of step 'first-share' (line 20, column 27)"],
  ] },
  { file: '62-expression-long-compared-with-string.yaml', problems: [[14, 39, 'expression', "no overload of operator '>' takes (double, string) (value.eventTime is an Avro long"]] },
  { file: '63-expression-unknown-function.yaml', problems: [[10, 33, 'expression', "unknown function 'splt' (did you mean 'split'?)"]] },
  { file: '64-filter-not-boolean.yaml', problems: [[14, 23, 'expression', 'must be a boolean (true or false), but gives double']] },
  // The error is on the second line of the folded scalar, not at its '>-'.
  { file: '65-multi-line-expression-error.yaml', problems: [[16, 17, 'expression', "'(' is never closed: a ')' is missing"]] },
  { file: '66-join-right-topic-unknown.yaml', problems: [
    [13, 71, 'unknown-reference', "rightTopic 'clicks-v1' is not a topic that feeds pipeline 'join' (its topics: 'clicks-v2', 'impressions'), so no record would be a right record (did you mean 'clicks-v2'?)"],
    [20, 66, 'unknown-reference', "rightTopic takes a topic, and 'clicks' is a source; its topic is 'clicks-v2'"],
  ] },
  { file: '67-join-right-topic-behind-key-change.yaml', problems: [[14, 71, 'option', "repartition topic 'join-rekeyed-click-after-impression-repartition' and rightTopic matches none"]] },
  { file: '68-reference-to-wrong-kind.yaml', problems: [
    [8, 11, 'unknown-reference', "pipeline 'a' reads 'out', but 'out' is a sink: 'from' names sources or pipelines"],
    [11, 34, 'unknown-reference', "'out' is a sink, not a store (stores: counts)"],
    [12, 9, 'unknown-reference', "'clicks' is a source: 'to' names sinks or pipelines"],
    [14, 11, 'unknown-reference', "'changed' is a step id: 'from' names sources or pipelines"],
    [17, 21, 'unknown-reference', "'counts' is a store, not a sink (sinks: out)"],
  ] },
  // Types propagate through steps: an aggregate's `into`, a join's sides, a window's key and value, a map literal, a custom operator's declared output.
  { file: '70-field-after-aggregate.yaml', problems: [[15, 62, 'expression', "value has no field 'clickCuont' in the output of step 'count-clicks' (aggregate-count) (did you mean 'clickCount'?)"]] },
  { file: '71-field-after-join.yaml', problems: [[19, 65, 'expression', "value.left has no field 'pinID' in schema Click (did you mean 'pinId'?)"]] },
  { file: '72-window-key-and-value.yaml', problems: [
    [18, 18, 'expression', "no overload of operator '>' takes (double, string) (an aggregate's result is a number"],
    [18, 41, 'expression', "key.window has no field 'begin' in the window bounds (fields: start, end)"],
  ] },
  { file: '73-field-after-map.yaml', problems: [
    [13, 39, 'expression', "no overload of operator '%' takes (double, int) (a number an earlier step computed is a double here"],
    [15, 49, 'expression', "value has no field 'pin' in the output of step 'slim' (map) (fields: user, n)"],
  ] },
  { file: '74-field-after-custom-declared-output.yaml', problems: [[13, 58, 'expression', "value has no field 'scroe' in schema Enriched (fields: userId, score)"]] },
  // One explained problem at the '$', not the parser's 'Unexpected flow-map-start' and 'Unexpected scalar'.
  { file: '75-env-placeholder-in-flow-mapping.yaml', problems: [[5, 20, 'syntax', 'cannot be written unquoted inside a flow mapping or list ({ } or [ ]): there \'{\' and \'}\' are YAML syntax, not part of the value. Quote it ("${CLICKS_TOPIC}") or write the mapping in block style']] },
  // The model's manifest is read at validate time, as the step reads it at start (found by the config fuzzer).
  { file: '76-score-model-refuses-inputs.yaml', problems: [
    [14, 19, 'option', "inputs of model 'count-sum-scorer'"],
    [17, 18, 'option', 'no-such-model/manifest.json cannot be read'],
  ] },
  { file: '77-field-after-join-with-table.yaml', problems: [[21, 42, 'expression', "value.pin has no field 'acton' in schema Click (did you mean 'action'?)"]] },
  { file: '38-unknown-branch-pipeline.yaml', problems: [[14, 25, 'unknown-reference', "did you mean 'hides'"], [16, 3, 'missing-key', "'hides' has no input"]] },
];

describe('topology lint', () => {
  const env = { ...process.env };
  delete env.TRIBUTARY_FIXTURE_UNSET_TOPIC;

  for (const row of table) {
    it(`reports ${row.file} at the offending node`, () => {
      const file = path.join(fixtures, 'invalid', row.file);
      const { topology, problems } = loadTopology(file, { env });
      assert.equal(topology, undefined);
      assert.deepEqual(problems.map((p) => [p.line, p.col, p.kind]), row.problems.map(([l, c, k]) => [l, c, k]),
        problems.map((p) => `${p.line}:${p.col} ${p.kind} ${p.message}`).join('\n'));
      problems.forEach((p, i) => {
        assert.equal(p.file, file);
        assert.ok(p.message.includes(row.problems[i][3]), `'${p.message}' should mention ${row.problems[i][3]}`);
      });
    });
  }

  it('covers at least 25 distinct mistakes and every file in the folder', () => {
    const files = fs.readdirSync(path.join(fixtures, 'invalid')).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(files, table.map((r) => r.file).sort());
    assert.ok(table.length >= 25);
  });

  it('finds no problem in the examples', () => {
    const examples = path.resolve(fixtures, '../../../examples');
    const files = fs.readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) assert.deepEqual(loadTopology(path.join(examples, f), { env: {} }).problems, [], f);
  });

  it('uses every lint kind at least once', () => {
    const used = new Set(table.flatMap((r) => r.problems.map((p) => p[2])));
    assert.deepEqual([...lintKinds].filter((k) => !used.has(k)), []);
  });

  it('accepts a join whose rightTopic reaches it through upstream pipelines and a merge', () => {
    const text = [
      'name: joins', 'sources:', '  views: { topic: views, value: json }', '  clicks: { topic: clicks-v2, value: json }',
      'stores:', '  j: {}', 'pipelines:', '  clean:', '    from: clicks', '    steps:', '      - id: only', '        filter: { expression: has(value.id) }',
      '  join:', '    from: views', '    steps:', '      - id: both', '        merge: { pipelines: [clean] }',
      '      - id: pair', '        join-stream-stream: { store: j, within: 1m, rightTopic: clicks-v2 }', '    to: out',
      'sinks:', '  out: { topic: out, value: json }',
    ].join('\n');
    assert.deepEqual(loadTopologyText(text, path.join(fixtures, 'inline-join.yaml')).problems, []);
  });

  it('reports every problem of a file at once, in position order', () => {
    const text = [
      'name: many', 'sorces: {}', 'sources:', '  s: {topic: t, value: json}', 'pipelines:', '  p:', '    from: s',
      '    steps:', '      - id: a', '        filtr: {expression: "true"}', '      - id: b', '        filter: {expression: "nope"}',
      '    to: missing',
    ].join('\n');
    const file = path.join(fixtures, 'inline-many.yaml');
    const { problems } = loadTopologyText(text, file);
    assert.deepEqual(problems.map((p) => `${p.line}:${p.col} ${p.kind}`), [
      '2:1 unknown-key', '10:9 unknown-operator', '12:31 expression', '13:9 unknown-reference',
    ]);
  });
});
