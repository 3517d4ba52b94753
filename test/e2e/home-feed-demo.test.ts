import * as assert from 'node:assert/strict';
import { runHomeFeedDemo } from '../../examples/home-feed/demo';
import { requireKafka, requireRegistry } from '../helpers/services';

/**
 * The README's demo path, bounded to a minute: services, topics, topology with
 * a scoring pool, generator, consumer, sample feeds, evaluation and figures.
 */
describe('home-feed demo (end to end, real services)', function () {
  this.timeout(300_000);

  it('runs to the end, prints sample feeds with sources, and beats the popularity baseline', async () => {
    await requireKafka();
    await requireRegistry();
    const lines: string[] = [];
    const summary = await runHomeFeedDemo({ durationS: 75, rate: 80, seed: 3, print: (line) => lines.push(line) });
    const text = lines.join('\n');
    assert.match(text, /sample recommendations/);
    assert.match(text, /from (interest|label|coengagement|fresh|popular)/);
    // The app's own answer for the most active user (GET /feeds/{userId}) is the topic's newest version.
    const asked = /interactive query: GET http:\/\/127\.0\.0\.1:\d+\/feeds\/\S+ -> v(\d+), \d+ items \(answered by 127\.0\.0\.1:\d+; the topic's newest: v(\d+)\)/.exec(text);
    assert.ok(asked, text);
    assert.equal(asked[1], asked[2]);
    assert.ok(summary.events > 2000, `only ${summary.events} events`);
    assert.ok(summary.updates > 50, `only ${summary.updates} updates`);
    assert.ok(Number.isFinite(summary.latencyP50Ms), 'no action-to-update latency was measured');
    const report = summary.report!;
    assert.ok(report.targets >= 30, text);
    assert.ok(report.flagship[0].hitRate > 1.5 * report.baseline[0].hitRate, text);
  });
});
