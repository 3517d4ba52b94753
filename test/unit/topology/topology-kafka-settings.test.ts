import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeJson, describeTopology, loadTopologyText, operatorDocs, type CompiledTopology } from '../../../topology';

// Placed in the fixtures folder so that ../schemas/click.avsc resolves.
const file = path.resolve(__dirname, '../../../../test/fixtures/topologies/valid/inline-settings.yaml');

function load(text: string): CompiledTopology {
  const { topology, problems } = loadTopologyText(text, file, { env: {} });
  assert.deepEqual(problems.map((p) => `${p.line}:${p.col} ${p.kind} ${p.message}`), []);
  return topology as CompiledTopology;
}

const plain = `name: plain
schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v7 }
sources:
  clicks: { topic: clicks, value: { format: avro, schema: ../schemas/click.avsc } }
pipelines:
  main: { from: clicks, to: out }
sinks:
  out: { topic: out, value: { format: avro, schema: ../schemas/click.avsc } }
`;

const tuned = `name: tuned
schemaRegistry:
  url: http://127.0.0.1:8081/apis/ccompat/v7
  subjectNameStrategy: record
  autoRegister: true
processing: { compression: gzip }
sources:
  clicks:
    topic: clicks
    value: { format: avro, schema: ../schemas/click.avsc }
    onError: skip
  audits:
    topic: audits
    value: { format: avro, schema: ../schemas/click.avsc }
    onError: fail
    subjectNameStrategy: topic
pipelines:
  main: { from: [clicks, audits], to: [out, raw] }
sinks:
  out:
    topic: out
    value: { format: avro, schema: ../schemas/click.avsc }
    subjectNameStrategy: topic-record
  raw:
    topic: raw
    value: json
    compression: none
    latestPerKey: true
`;

describe('topology Kafka and registry settings (source onError, compression, subject strategy, autoRegister)', () => {
  it('leaves every setting at its default when the file names none', () => {
    const t = load(plain);
    assert.equal(t.sources.clicks.onError, 'dead-letter');
    assert.equal(t.sources.clicks.subjectNameStrategy, undefined);
    assert.equal(t.sinks.out.compression, undefined);
    assert.equal(t.sinks.out.subjectNameStrategy, undefined);
    assert.equal(t.sinks.out.latestPerKey, undefined);
    assert.equal(t.processing.compression, undefined);
    assert.equal(t.schemaRegistry?.autoRegister, false);
    assert.equal(t.schemaRegistry?.subjectNameStrategy, 'topic');
  });

  it('reads per-source and per-sink values over the application-wide ones', () => {
    const t = load(tuned);
    assert.equal(t.sources.clicks.onError, 'skip');
    assert.equal(t.sources.audits.onError, 'fail');
    assert.equal(t.sources.clicks.subjectNameStrategy, 'record', 'inherits schemaRegistry.subjectNameStrategy');
    assert.equal(t.sources.audits.subjectNameStrategy, undefined, 'its own topic strategy wins over the registry-wide record');
    assert.equal(t.sinks.out.subjectNameStrategy, 'topic-record');
    assert.equal(t.sinks.out.compression, 'gzip', 'inherits processing.compression');
    assert.equal(t.sinks.raw.compression, 'none', 'its own none wins over processing.compression');
    assert.equal(t.processing.compression, 'gzip');
    assert.equal(t.schemaRegistry?.autoRegister, true);
  });

  it('describe shows the settings that are not default, and only those', () => {
    const text = describeTopology(load(tuned));
    assert.match(text, /^ {4}Source: clicks \(topic: clicks, onError: skip, subjectNameStrategy: record\)$/m);
    assert.match(text, /^ {4}Source: audits \(topic: audits, onError: fail\)$/m);
    assert.match(text, /^ {4}Sink: out \(topic: out, compression: gzip, subjectNameStrategy: topic-record\)$/m);
    assert.match(text, /^ {4}Sink: raw \(topic: raw, latestPerKey: true\)$/m);
    assert.ok(text.endsWith('Settings:\n  schemaRegistry.autoRegister: true\n  processing.compression: gzip\n'), text);

    const plainText = describeTopology(load(plain));
    assert.match(plainText, /^ {4}Source: clicks \(topic: clicks\)$/m);
    assert.match(plainText, /^ {4}Sink: out \(topic: out\)$/m);
    assert.doesNotMatch(plainText, /Settings:|onError|compression|subjectNameStrategy|latestPerKey/);
  });

  it('describe --format json carries the same non-default settings', () => {
    const json = describeJson(load(tuned)) as { topics: { sources: object[]; sinks: object[] }; settings?: object };
    assert.deepEqual(json.topics.sources, [
      { name: 'clicks', topic: 'clicks', key: 'string', value: 'avro', onError: 'skip', subjectNameStrategy: 'record' },
      { name: 'audits', topic: 'audits', key: 'string', value: 'avro', onError: 'fail' },
    ]);
    assert.deepEqual(json.topics.sinks, [
      { name: 'out', topic: 'out', key: 'string', value: 'avro', compression: 'gzip', subjectNameStrategy: 'topic-record' },
      { name: 'raw', topic: 'raw', key: 'string', value: 'json', latestPerKey: 'true' },
    ]);
    assert.deepEqual(json.settings, { 'schemaRegistry.autoRegister': true, 'processing.compression': 'gzip' });
    assert.equal((describeJson(load(plain)) as { settings?: object }).settings, undefined);
  });

  it('reads processing.maxPartitionFetchBytes and describe shows it', () => {
    assert.equal(load(plain).processing.maxPartitionFetchBytes, undefined);
    const t = load(plain.replace('sources:', 'processing: { maxPartitionFetchBytes: 32768 }\nsources:'));
    assert.equal(t.processing.maxPartitionFetchBytes, 32768);
    assert.ok(describeTopology(t).endsWith('Settings:\n  processing.maxPartitionFetchBytes: 32768\n'));
  });

  it('reads processing.sessionTimeout (default 30s) and describe shows a non-default one', () => {
    assert.equal(load(plain).processing.sessionTimeoutMs, 30_000);
    const t = load(plain.replace('sources:', 'processing: { sessionTimeout: 6s }\nsources:'));
    assert.equal(t.processing.sessionTimeoutMs, 6_000);
    assert.ok(describeTopology(t).endsWith('Settings:\n  processing.sessionTimeout: 6000ms\n'));
  });

  it('never shows registry credentials in describe output', () => {
    const t = load(plain.replace('schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v7 }',
      'schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v7, auth: { username: reg-user, password: pa55-w0rd-xyz } }'));
    assert.equal(t.schemaRegistry?.auth?.password, 'pa55-w0rd-xyz');
    for (const format of ['text', 'json', 'mermaid'] as const) {
      const out = describeTopology(t, format);
      assert.ok(!out.includes('pa55-w0rd-xyz') && !out.includes('reg-user'), format);
    }
  });

  it('tributary docs lists the new keys with their allowed values', () => {
    const docs = operatorDocs();
    for (const row of [
      /\| `sources\.<name>\.onError` \| string: dead-letter \\\| skip \\\| fail \|/,
      /\| `sources\.<name>\.subjectNameStrategy` \| string: topic \\\| record \\\| topic-record \|/,
      /\| `sinks\.<name>\.compression` \| string: none \\\| gzip \\\| snappy \\\| lz4 \\\| zstd \|/,
      /\| `sinks\.<name>\.subjectNameStrategy` \|/,
      /\| `processing\.compression` \| string: none \\\| gzip \\\| snappy \\\| lz4 \\\| zstd \|/,
      /\| `schemaRegistry\.subjectNameStrategy` \| .* \| `"topic"` \|/,
      /\| `schemaRegistry\.autoRegister` \| boolean \| {2}\| `false` \| .*TRIBUTARY_AUTO_REGISTER/,
    ]) assert.match(docs, row);
  });

  it('takes snappy, lz4 and zstd for processing and sinks, and names the five codecs for any other', () => {
    for (const codec of ['snappy', 'lz4', 'zstd']) {
      const { topology, problems } = loadTopologyText(plain.replace('name: plain', `name: plain\nprocessing: { compression: ${codec} }`), file, { env: {} });
      assert.deepEqual(problems, [], codec);
      assert.equal(topology!.processing.compression, codec);
      assert.equal(topology!.sinks.out.compression, codec, 'a sink inherits processing.compression');
      const own = loadTopologyText(plain.replace('out: { topic: out,', `out: { topic: out, compression: ${codec},`), file, { env: {} });
      assert.deepEqual(own.problems, [], codec);
      assert.equal(own.topology!.sinks.out.compression, codec);
    }
    const { problems } = loadTopologyText(plain.replace('name: plain', 'name: plain\nprocessing: { compression: brotli }'), file, { env: {} });
    assert.deepEqual(problems.map((p) => [p.line, p.col, p.kind]), [[2, 28, 'option']]);
    assert.match(problems[0].message, /processing.compression must be one of none, gzip, snappy, lz4, zstd, found 'brotli'/);
  });

  it('checks the record strategies against a named schema wherever the strategy comes from', () => {
    const unnamed = plain
      .replace('schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v7 }', 'schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v7, subjectNameStrategy: topic-record }')
      .replace('sinks:\n  out: { topic: out, value: { format: avro, schema: ../schemas/click.avsc } }',
        'sinks:\n  out: { topic: out, value: { format: avro, schema: ../schemas/plain-string.avsc } }');
    const { problems } = loadTopologyText(unnamed, file, { env: {} });
    assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[8, 'schema']]);
    assert.match(problems[0].message, /topic-record subject strategy \(schemaRegistry\.subjectNameStrategy\)/);
    // An explicit subject needs no name.
    const withSubject = unnamed.replace('schema: ../schemas/plain-string.avsc', 'schema: ../schemas/plain-string.avsc, subject: out-value');
    assert.deepEqual(loadTopologyText(withSubject, file, { env: {} }).problems, []);
  });
});
