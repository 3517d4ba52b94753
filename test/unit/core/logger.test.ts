import { strict as assert } from 'node:assert';
import { createLogger, formatLogLine, setLogFormat } from '../../../core/logger';

const at = new Date('2026-12-03T10:00:00.000Z');

function capture(format?: 'text' | 'json'): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger('run', 'debug', { ...(format ? { format } : {}), out: { write: (l: string) => lines.push(l) } }) };
}

describe('logger', () => {
  afterEach(() => { delete process.env.TRIBUTARY_LOG_FORMAT; setLogFormat(undefined); });

  it('writes text lines as before, leaving out undefined fields', () => {
    assert.equal(formatLogLine('text', at, 'warn', 'run', 'kafka: Connection error', { broker: '127.0.0.1:1', error: undefined, retryCount: 2 }),
      '2026-12-03T10:00:00.000Z WARN  [run] kafka: Connection error broker=127.0.0.1:1 retryCount=2\n');
  });

  it('writes one JSON object per line with time, level, logger, message and the fields', () => {
    const line = formatLogLine('json', at, 'error', 'run', 'application failed', { error: new Error('boom'), app: 'wc', lag: 12n, skipped: undefined, message: 'a field named message' });
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), {
      time: '2026-12-03T10:00:00.000Z', level: 'error', logger: 'run', message: 'application failed',
      error: 'boom', app: 'wc', lag: '12', 'field.message': 'a field named message',
    });
  });

  it('takes the format from TRIBUTARY_LOG_FORMAT unless set by the CLI, at each write', () => {
    const { lines, logger } = capture();
    logger.info('one');
    process.env.TRIBUTARY_LOG_FORMAT = 'json';
    logger.info('two');
    setLogFormat('text');
    logger.info('three');
    assert.match(lines[0], / INFO  \[run\] one\n$/);
    assert.equal(JSON.parse(lines[1]).message, 'two');
    assert.match(lines[2], / INFO  \[run\] three\n$/);
  });

  for (const format of ['text', 'json'] as const) {
    it(`never writes secrets (${format})`, () => {
      const { lines, logger } = capture(format);
      logger.info('registry at https://svc:reg-Secret1@registry.example:8081/apis', {
        password: 'sasl-Secret2',
        sasl: { mechanism: 'plain', username: 'svc', password: 'sasl-Secret3' },
        registry: 'http://svc:reg-Secret4@10.0.0.1:8081',
        auth: { username: 'svc', password: 'reg-Secret5' },
        nested: { apiKey: 'key-Secret6', list: ['https://a:list-Secret7@h'] },
        authorization: 'Bearer tok-Secret8',
        error: new Error('GET https://svc:err-Secret9@registry failed'),
      });
      const out = lines.join('');
      assert.doesNotMatch(out, /Secret\d/, out);
      assert.match(out, /svc:\[redacted\]@registry\.example/, 'the user stays, the password goes');
    });
  }
});
