import * as assert from 'node:assert/strict';
import type { Logger } from '../../../core/logger';
import { SinkRetentionGuard } from '../../../runtime/kafka/sink-retention-guard';

const DAY = 86_400_000;

function recordingLogger(): Logger & { warnings: Array<{ message: string; fields?: Record<string, unknown> }> } {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return { warnings, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message, fields) => { warnings.push({ message, fields }); } };
}

describe('SinkRetentionGuard', () => {
  const now = Date.UTC(2026, 11, 6);

  it('warns once per topic when an output is older than its time retention, naming the sink, the ages and the fix', () => {
    const logger = recordingLogger();
    const guard = new SinkRetentionGuard(new Map([['recs-t', 7 * DAY]]), new Map([['recs-t', 'recommendations']]), logger);
    guard.written('recs-t', now - 6 * DAY, now);
    assert.equal(logger.warnings.length, 0, 'younger than the retention: no warning');
    guard.written('recs-t', now - 335 * DAY, now);
    guard.written('recs-t', now - 300 * DAY, now);
    assert.equal(logger.warnings.length, 1, 'once per topic');
    assert.match(logger.warnings[0].message, /^sink 'recommendations' writes records 335 d old to topic 'recs-t', which deletes records older than 7 d \(retention\.ms 604800000\)/);
    assert.match(logger.warnings[0].message, /topicConfig: \{ retention\.ms: -1 \}/);
    assert.deepEqual(logger.warnings[0].fields, { sink: 'recommendations', topic: 'recs-t', retentionMs: 7 * DAY, recordAgeMs: 335 * DAY });
  });

  it('says nothing for topics that keep records by time (absent from the retention map) or for other topics', () => {
    const logger = recordingLogger();
    const guard = new SinkRetentionGuard(new Map([['short-t', 60_000]]), new Map([['kept-t', 'kept'], ['short-t', 'short']]), logger);
    guard.written('kept-t', now - 1000 * DAY, now);
    guard.written('short-t', now - 59_000, now);
    assert.equal(logger.warnings.length, 0);
    guard.written('short-t', now - 61_000, now);
    assert.match(logger.warnings[0].message, /records 1 min old .* older than 1 min \(retention\.ms 60000\)/);
  });
});
