import { strict as assert } from 'node:assert';
import { logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../../../core/logger';
import { kafkaLogCreator, retryWithin } from '../../../runtime/kafka/client/kafkajs/kafkajs-client';

type Logged = { level: string; message: string; fields?: Record<string, unknown> };

function recorder(): { logged: Logged[]; logger: Logger } {
  const logged: Logged[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => { logged.push({ level, message, ...(fields ? { fields } : {}) }); };
  return { logged, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Entries as kafkajs' logger makes them (src/loggers/index.js): namespace, level, label and the log with its own fields. */
const entry = (level: logLevel, namespace: string, log: Record<string, unknown>): LogEntry =>
  ({ namespace, level, label: logLevel[level], log: { timestamp: '2026-12-03T10:00:00.000Z', logger: 'kafkajs', ...log } }) as unknown as LogEntry;

describe('kafkajs log entries in our log', () => {
  it('carries the entry\'s real fields (broker, retries, group), never undefined ones', () => {
    const { logged, logger } = recorder();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log(entry(logLevel.ERROR, 'Connection', { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1', broker: '127.0.0.1:1', clientId: 'wc', stack: 'Error: ...' }));
    log(entry(logLevel.ERROR, 'BrokerPool', { message: 'Failed to connect to seed broker, trying another broker from the list: Connection error', retryCount: 2, retryTime: 1000 }));
    log(entry(logLevel.ERROR, 'Consumer', { message: 'Crash: KafkaJSNumberOfRetriesExceeded: timeout', groupId: 'wc', error: 'KafkaJSNumberOfRetriesExceeded: timeout', retryCount: 5 }));
    assert.deepEqual(logged, [
      { level: 'error', message: 'kafka: Connection error: connect ECONNREFUSED 127.0.0.1:1', fields: { namespace: 'Connection', broker: '127.0.0.1:1', clientId: 'wc' } },
      { level: 'error', message: 'kafka: Failed to connect to seed broker, trying another broker from the list: Connection error', fields: { namespace: 'BrokerPool', retryCount: 2, retryTime: 1000 } },
      { level: 'error', message: 'kafka: Crash: KafkaJSNumberOfRetriesExceeded: timeout', fields: { namespace: 'Consumer', groupId: 'wc', error: 'KafkaJSNumberOfRetriesExceeded: timeout', retryCount: 5 } },
    ]);
  });

  it('keeps connection failures at debug while the connection check is to report them', () => {
    const { logged, logger } = recorder();
    let quiet = true;
    const log = kafkaLogCreator(logger, () => quiet)(logLevel.WARN);
    log(entry(logLevel.ERROR, 'Connection', { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1', broker: '127.0.0.1:1' }));
    quiet = false;
    log(entry(logLevel.ERROR, 'Connection', { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1', broker: '127.0.0.1:1' }));
    assert.deepEqual(logged.map((l) => l.level), ['debug', 'error']);
  });

  it('bounds the connection retries by the timeout', () => {
    const sum = (r: ReturnType<typeof retryWithin>) => Array.from({ length: r.retries }, (_, i) => Math.min(r.initialRetryTime * 2 ** i, r.maxRetryTime)).reduce((a, b) => a + b, 0);
    for (const timeout of [1_000, 3_000, 10_000, 60_000]) {
      const r = retryWithin(timeout);
      assert.ok(sum(r) <= timeout && sum(r) + r.maxRetryTime > timeout, `retries for ${timeout} ms: ${JSON.stringify(r)}`);
    }
  });
});
