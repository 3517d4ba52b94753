import * as assert from 'node:assert/strict';
import { parsePrometheusText, PrometheusParseError, sumSamples } from '../../../runtime/telemetry/prometheus-text';
import { histogramBuckets, histogramQuantile, subtractBuckets } from '../../../runtime/telemetry/internal/histogram-quantile';
import { prometheusName } from '../../../runtime/telemetry/metric-names';

describe('parsePrometheusText', () => {
  it('reads types, labels with escapes, special values and timestamps', () => {
    const scrape = parsePrometheusText([
      '# HELP a_total things',
      '# TYPE a_total counter',
      'a_total{topic="in",partition="0"} 5',
      'a_total{topic="in",partition="1"} 7 1700000000000',
      'b{path="C:\\\\x",quote="say \\"hi\\"",nl="a\\nb"} NaN',
      'c +Inf',
      'd -Inf',
      'e 1.5e3',
      '',
    ].join('\n'));
    assert.equal(scrape.types.get('a_total'), 'counter');
    assert.equal(sumSamples(scrape, 'a_total'), 12);
    assert.equal(sumSamples(scrape, 'a_total', { partition: '1' }), 7);
    const b = scrape.samples.find((s) => s.name === 'b')!;
    assert.deepEqual(b.labels, { path: 'C:\\x', quote: 'say "hi"', nl: 'a\nb' });
    assert.ok(Number.isNaN(b.value));
    assert.equal(scrape.samples.find((s) => s.name === 'c')!.value, Infinity);
    assert.equal(scrape.samples.find((s) => s.name === 'd')!.value, -Infinity);
    assert.equal(scrape.samples.find((s) => s.name === 'e')!.value, 1500);
  });

  const bad: Array<[string, number, RegExp]> = [
    ['ok 1\n{x="1"} 2', 2, /expected a metric name/],
    ['m{x="1} 2', 1, /unterminated value of label x/],
    ['m{x=1} 2', 1, /expected =" after label x/],
    ['m abc', 1, /expected a number after m/],
    ['m', 1, /expected a number after m/],
  ];
  for (const [text, line, message] of bad) {
    it(`rejects ${JSON.stringify(text)} naming line ${line}`, () => {
      assert.throws(() => parsePrometheusText(text), (err: unknown) => {
        assert.ok(err instanceof PrometheusParseError);
        assert.equal(err.line, line);
        assert.match(err.message, message);
        assert.equal(err.retriable, false);
        return true;
      });
    });
  }
});

describe('histogramQuantile', () => {
  const scrape = parsePrometheusText([
    'h_bucket{le="0.1",a="x"} 10',
    'h_bucket{le="0.1",a="y"} 10',
    'h_bucket{le="1",a="x"} 50',
    'h_bucket{le="1",a="y"} 30',
    'h_bucket{le="+Inf",a="x"} 50',
    'h_bucket{le="+Inf",a="y"} 50',
  ].join('\n'));

  it('sums label sets and interpolates inside the bucket', () => {
    const buckets = histogramBuckets(scrape, 'h');
    assert.deepEqual([...buckets], [[0.1, 20], [1, 80], [Infinity, 100]]);
    // rank 50 of 100 lies 30/60 of the way through (0.1, 1].
    assert.ok(Math.abs(histogramQuantile(0.5, buckets)! - (0.1 + 0.9 * 0.5)) < 1e-9);
    assert.ok(Math.abs(histogramQuantile(0.1, buckets)! - 0.05) < 1e-9);
    // The top 20 are in +Inf: the answer is the highest finite bound.
    assert.equal(histogramQuantile(0.99, buckets), 1);
  });

  it('is undefined for an empty histogram and subtracts an earlier scrape', () => {
    assert.equal(histogramQuantile(0.5, new Map()), undefined);
    const now = histogramBuckets(scrape, 'h');
    assert.equal(histogramQuantile(0.5, subtractBuckets(now, now)), undefined);
    const before = new Map([[0.1, 20], [1, 20], [Infinity, 20]]);
    assert.deepEqual([...subtractBuckets(now, before)], [[0.1, 0], [1, 60], [Infinity, 80]]);
  });
});

describe('prometheusName', () => {
  it('turns dots into underscores and suffixes counters with _total', () => {
    assert.equal(prometheusName('messaging.client.consumed.messages', 'counter'), 'messaging_client_consumed_messages_total');
    assert.equal(prometheusName('tributary.e2e.latency', 'histogram'), 'tributary_e2e_latency');
    assert.equal(prometheusName('x_total', 'counter'), 'x_total');
  });
});
