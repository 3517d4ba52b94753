import { strict as assert } from 'node:assert';
import { filterAbortedMessages, groupMessagesPerPartition } from '../../../runtime/kafka/client/kafkajs/kafkajs-patches';

/** A data record of `producer` at `offset` (in a transaction unless said otherwise). */
const data = (offset: number, producer: string, inTransaction = true) => ({
  offset: String(offset), key: Buffer.from(`k${offset}`), isControlRecord: false, batchContext: { producerId: producer, inTransaction },
});
const marker = (offset: number, producer: string, type: 'abort' | 'commit') => ({
  offset: String(offset), key: Buffer.from([0, 0, 0, type === 'abort' ? 0 : 1]), isControlRecord: true, batchContext: { producerId: producer, inTransaction: true },
});
const offsets = (ms: ReadonlyArray<{ offset: string; isControlRecord: boolean }>) => ms.filter((m) => !m.isControlRecord).map((m) => Number(m.offset));

describe('kafkajs read_committed fix (filterAbortedMessages)', () => {
  it('is what kafkajs loads (installed before kafkajs)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/consumer/filterAbortedMessages'), filterAbortedMessages);
  });

  it('drops the records of every aborted transaction begun before the first fetched record', () => {
    // Producers 1 and 2 both began aborted transactions (at 100 and 101) before this fetch, which
    // starts at 150 with a record of producer 2. kafkajs 2.2.4 activated only producer 1 there and
    // let 150 through.
    const messages = [data(150, '2'), data(151, '1'), data(152, '3'), marker(153, '1', 'abort'), marker(154, '2', 'abort'), data(155, '1'), data(156, '2')];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ firstOffset: '100', producerId: '1' }, { firstOffset: '101', producerId: '2' }] });
    assert.deepEqual(offsets(kept), [152, 155, 156]);
  });

  it('orders the aborted transactions by first offset and keeps committed ones and non-transactional records', () => {
    const messages = [data(10, '1'), data(11, '2'), data(12, '9', false), marker(13, '2', 'commit'), marker(14, '1', 'abort'), data(15, '1')];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ firstOffset: '10', producerId: '1' }] });
    assert.deepEqual(offsets(kept), [11, 12, 15]);
    assert.deepEqual(offsets(filterAbortedMessages({ messages, abortedTransactions: [] })), [10, 11, 12, 15]);
  });

  it('keeps the markers for kafkajs to drop afterwards', () => {
    const messages = [data(1, '1'), marker(2, '1', 'abort')];
    assert.deepEqual(filterAbortedMessages({ messages, abortedTransactions: [{ firstOffset: '1', producerId: '1' }] }).map((m) => m.offset), ['2']);
  });
});

describe('kafkajs produce grouping fix (groupMessagesPerPartition)', () => {
  it('is what kafkajs loads', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(require('kafkajs/src/producer/groupMessagesPerPartition'), groupMessagesPerPartition);
  });

  it('groups messages by the partitioner\'s choice, keeping their order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` }));
    const partitioner = ({ message }: { message: unknown }) => Number((message as { value: string }).value.slice(1)) % 3;
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner });
    assert.deepEqual(Object.keys(grouped), ['0', '1', '2']);
    assert.deepEqual(grouped[1], [{ value: 'm1' }, { value: 'm4' }, { value: 'm7' }]);
    assert.deepEqual(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner }), {});
  });
});

describe('kafkajs static membership (Broker#joinGroup with group_instance_id)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Broker = require('kafkajs/src/broker') as { prototype: { joinGroup(this: unknown, args: unknown): Promise<unknown> } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { requests } = require('kafkajs/src/protocol/requests') as { requests: { JoinGroup: { protocol(v: { version: number }): (a: unknown) => { request: { encode(): Promise<{ buffer: Buffer }> } } } } };
  const sendRequest = Object.getOwnPropertySymbols(Broker.prototype).find((s) => s.description === 'private:Broker:sendRequest')!;

  /** A broker that speaks JoinGroup `version` and keeps the request it was asked to send. */
  function fakeBroker(version: number): { broker: unknown; sent: Array<{ request: { encode(): Promise<{ buffer: Buffer }> } }> } {
    const sent: Array<{ request: { encode(): Promise<{ buffer: Buffer }> } }> = [];
    const broker = {
      lookupRequest: (_key: number, definition: typeof requests.JoinGroup) => definition.protocol({ version }),
      [sendRequest]: async (built: { request: { encode(): Promise<{ buffer: Buffer }> } }) => { sent.push(built); return { memberId: 'm' }; },
    };
    return { broker, sent };
  }
  const args = (groupInstanceId?: string) => ({
    groupId: 'g', sessionTimeout: 10_000, rebalanceTimeout: 60_000, memberId: '',
    groupProtocols: [{ name: 'TributaryTaskAssigner', metadata: Buffer.alloc(0), ...(groupInstanceId ? { groupInstanceId } : {}) }],
  });

  it('sends the assigner\'s group instance id in JoinGroup v5, and none for a dynamic member', async () => {
    const { broker, sent } = fakeBroker(5);
    await Broker.prototype.joinGroup.call(broker, args('orders-7'));
    const bytes = (await sent[0].request.encode()).buffer;
    assert.ok(bytes.includes(Buffer.from('orders-7')), 'group_instance_id is in the request');
    const dynamic = fakeBroker(5);
    await Broker.prototype.joinGroup.call(dynamic.broker, args());
    assert.ok(!(await dynamic.sent[0].request.encode()).buffer.includes(Buffer.from('orders-7')));
  });

  it('refuses a coordinator that speaks JoinGroup below v5', async () => {
    const { broker } = fakeBroker(4);
    await assert.rejects(Broker.prototype.joinGroup.call(broker, args('orders-7')), /static membership \(group instance id 'orders-7'\) needs v5/);
  });
});

describe('kafkajs request queue fix (no idle timer loop)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => {
    pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: NodeJS.Timeout | null; checkPendingRequests(): void; destroy?(): void;
  };
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const queue = () => new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 't', broker: 'b:9092', logger });

  it('arms no timer when nothing is pending (kafkajs re-armed a 1 ms timer forever)', () => {
    const q = queue();
    q.checkPendingRequests();
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('still sends a pending request once a throttle ends', async () => {
    const q = queue();
    let sent = false;
    q.throttledUntil = Date.now() + 30;
    q.pending.push({ send: () => { sent = true; }, expectResponse: true, correlationId: 1, pendingDuration: 0 });
    q.checkPendingRequests();
    assert.equal(sent, false, 'throttled: not yet');
    assert.notEqual(q.throttleCheckTimeoutId, null, 'a timer for the end of the throttle');
    for (let i = 0; i < 200 && !sent; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sent, true);
    assert.equal(q.throttleCheckTimeoutId, null, 'and none after: nothing is pending');
  });
});

describe('kafkajs encoder growth (no zero-fill)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Encoder = require('kafkajs/src/protocol/encoder') as new (initialSize?: number) => {
    writeInt32(v: number): unknown; writeBytes(b: Buffer): unknown; writeString(s: string): unknown; buffer: Buffer; buf: Buffer;
  };

  it('grows into an uninitialised buffer and still exposes exactly the bytes written', () => {
    const encoder = new Encoder(4);
    // A pooled buffer that held other bytes before: what allocUnsafe may hand out.
    Buffer.allocUnsafe(64).fill(0xee);
    const payload = Buffer.alloc(3000, 7);
    encoder.writeInt32(1);
    encoder.writeBytes(payload);
    encoder.writeString('tail');
    const expected = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from([0, 0, 0x0b, 0xb8]), payload, Buffer.from([0, 4]), Buffer.from('tail')]);
    assert.deepEqual(encoder.buffer, expected);
    assert.ok(encoder.buf.length >= expected.length && encoder.buf.length === 4096, 'doubled to the next power of two');
  });

  it('is the encoder kafkajs uses', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proto = (require('kafkajs/src/protocol/encoder') as { prototype: Record<symbol, unknown> }).prototype;
    assert.equal(proto[Symbol.for('tributary.kafkajs.encoderGrowth')], true);
  });
});
