import { strict as assert } from 'node:assert';
import { describeSections, summarizeResults, type ResultsDocument } from '../../helpers/bench-summary';
import type { MachineInfo } from '../../helpers/machine-info';

const machine = (command: string, at: string): MachineInfo => ({
  cpuModel: 'cpu', cores: 2, memoryGiB: 1, os: 'os', node: 'v20', java: 'java', kafka: '3.9.1', gitCommit: 'abc1234', command, at, loadAverage: 3.5,
});

const doc: ResultsDocument = {
  sections: {
    'state-restore': { machine: machine('node dist/bench/state-restore.js --keys 200000', '2026-01-01T00:05:00.000Z'), rows: [{ keys: 200000, 'restore records/s': 30000, 'kafkajs read-only records/s': 60000, ratio: 0.5, 'restore s': 6.7 }] },
    'kafka-streams-vs-tributary': {
      machine: machine('node dist/bench/kafka-streams-vs-tributary.js', '2026-01-01T00:00:00.000Z'),
      rows: [
        { system: 'kafka-streams 3.9.1', guarantee: 'at_least_once', 'records/s (wall)': 6000, 'output ok': true },
        { system: 'tributary', guarantee: 'at_least_once', 'records/s (wall)': 3000, 'output ok': true },
        { system: 'kafka-streams 3.9.1', guarantee: 'exactly_once_v2', 'records/s (wall)': 5000, 'output ok': true },
        { system: 'tributary (custom operator)', guarantee: 'exactly_once_v2', 'records/s (wall)': 4000, 'output ok': false },
        { system: 'tributary (built-in aggregate)', guarantee: 'exactly_once_v2', 'records/s (wall)': 4500, 'output ok': true },
        { system: 'tributary ×2 processes', guarantee: 'exactly_once_v2', 'records/s (wall)': 6000, 'output ok': true },
      ],
    },
    'flagship-latency': {
      machine: machine('node dist/bench/flagship-latency.js', '2026-01-01T00:02:00.000Z'),
      rows: [
        { 'rate/s': 100, 'achieved/s': 100, updates: 300, 'p50 ms': 2100, 'p99 ms': 2900, 'max ms': 3100, 'net p99 ms': 900, 'kept up': true, 'net p99 < 250': false },
        { 'rate/s': 1000, 'achieved/s': 990, updates: 12, 'p50 ms': 2050, 'p99 ms': 2200, 'max ms': 2210, 'net p99 ms': 200, 'kept up': true, 'net p99 < 250': true },
        { 'rate/s': 20000, 'achieved/s': 16000, updates: 0, 'p50 ms': null, 'p99 ms': null, 'max ms': null, 'net p99 ms': null, 'kept up': false, 'net p99 < 250': false },
      ],
    },
    scoring: {
      machine: machine('node dist/bench/scoring-bench.js --quick', '2026-01-01T00:04:00.000Z'),
      rows: [{ figure: 'throughput rows/s, score operator', value: 25000, baseline: 60000, 'baseline is': 'raw session.run', ratio: 0.42 }],
    },
    'some-other-bench': { machine: machine('x', '2026-01-01T00:00:00.000Z'), rows: [{ a: 1 }] },
  },
};

describe('bench summary (the combined npm run bench table)', () => {
  it('turns each known section into figure / value / baseline / ratio rows in a fixed order', () => {
    const rows = summarizeResults(doc);
    assert.deepEqual(rows.map((r) => r.area), ['vs Kafka Streams', 'vs Kafka Streams', 'vs Kafka Streams', 'scale', 'flagship latency', 'flagship latency', 'flagship latency', 'flagship latency', 'scoring', 'restore']);
    assert.deepEqual([rows[0]!.value, rows[0]!.baseline, rows[0]!.ratio], [3000, 6000, 0.5]);
    // Each variant against the same peer row, named in the figure.
    assert.deepEqual([rows[2]!.value, rows[2]!.baseline, rows[2]!.ratio], [4500, 5000, 0.9]);
    assert.match(String(rows[2]!.figure), /^count\+sum per key \(built-in aggregate\), exactly_once_v2/);
    // The 2-process row against the custom operator's.
    assert.deepEqual([rows[3]!.value, rows[3]!.baseline, rows[3]!.ratio], [6000, 4000, 1.5]);
    assert.deepEqual([rows[8]!.value, rows[8]!.baseline, rows[8]!.ratio], [25000, 60000, 0.42]);
    assert.match(String(rows[8]!.figure), /baseline: raw session\.run/);
    assert.deepEqual([rows[9]!.value, rows[9]!.baseline, rows[9]!.ratio], [30000, 60000, 0.5]);
    assert.match(String(rows[9]!.figure), /200,000 keys/);
  });

  it('prints no ratio for a run whose output check failed, and says so', () => {
    const eos = summarizeResults(doc)[1]!;
    assert.equal(eos.ratio, null);
    assert.match(String(eos.figure), /^count\+sum per key \(custom operator\), exactly_once_v2.*OUTPUT CHECK FAILED/);
  });

  it('shows latency per rate and picks the highest rate that kept up under the limit', () => {
    const rows = summarizeResults(doc).filter((r) => r.area === 'flagship latency');
    assert.equal(rows[0]!.value, '2100 / 2900 / 3100; net 900');
    assert.match(String(rows[0]!.figure), /^100 events\/s offered \(100\/s sent, kept up: yes, 300 updates\)/);
    assert.equal(rows[2]!.value, '- / - / -; net -');
    assert.match(String(rows[2]!.figure), /kept up: no/);
    assert.equal(rows[3]!.value, 1000);
    assert.match(String(rows[3]!.figure), /net-of-settle p99 < 250 ms, among 100, 1,000, 20,000 events\/s/);
  });

  it('gives no rows for missing sections and lists the command of each shown section', () => {
    assert.deepEqual(summarizeResults({ sections: {} }), []);
    const lines = describeSections(doc);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^kafka-streams-vs-tributary: 2026-01-01T00:00:00.000Z, load 3.5 on 2 cores, commit abc1234: node dist\/bench\/kafka-streams-vs-tributary.js$/);
  });
});
