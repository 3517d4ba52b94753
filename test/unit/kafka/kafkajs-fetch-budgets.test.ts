import { strict as assert } from 'node:assert';
import '../../../runtime/kafka/client/kafkajs/kafkajs-patches';
import { holdTopicFetchBudgets, withTopicFetchBudgets } from '../../../runtime/kafka/client/kafkajs/kafkajs-fetch-budgets';

type Request = { topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }> };
const request = (): Request => ({
  topics: [
    { topic: 'app-index-repartition', partitions: [{ partition: 0, fetchOffset: '5', maxBytes: 1024 }] },
    { topic: 'events', partitions: [{ partition: 0, fetchOffset: '7', maxBytes: 1024 }, { partition: 1, fetchOffset: '9', maxBytes: 1024 }] },
  ],
});
const bytesOf = (topics: Request['topics']) => Object.fromEntries(topics.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, p.maxBytes])));

/**
 * Calls kafkajs' own Broker#fetch (as patched) on a stand-in broker that captures the Fetch
 * request it would send: the maxBytes per partition that reach the wire.
 */
async function wireBytes(req: Request): Promise<Record<string, number>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string | symbol, unknown> };
  const send = Object.getOwnPropertySymbols(Broker.prototype).find((s) => s.description === 'private:Broker:sendRequest');
  assert.ok(send, "kafkajs' Broker has its private sendRequest");
  let sent: Request | undefined;
  const broker = Object.create(Broker.prototype) as Record<string | symbol, unknown> & { fetch(r: Request): Promise<unknown> };
  broker.lookupRequest = () => (args: Request) => args;
  broker[send] = async (args: Request) => { sent = args; return { responses: [] }; };
  await broker.fetch(req);
  assert.ok(sent);
  return bytesOf(sent.topics);
}

describe('kafkajs per-topic fetch budgets (patch 10)', () => {
  it('raises the held topic\'s partitions to its budget in the request Broker#fetch sends, and no other', async () => {
    const release = holdTopicFetchBudgets(new Map([['app-index-repartition', 6144]]));
    try {
      assert.deepEqual(await wireBytes(request()), { 'app-index-repartition/0': 6144, 'events/0': 1024, 'events/1': 1024 });
    } finally {
      release();
    }
    assert.deepEqual(await wireBytes(request()), { 'app-index-repartition/0': 1024, 'events/0': 1024, 'events/1': 1024 }, 'released: the base again');
  });

  it('keeps the largest of several holders until the last releases, and never lowers a request', () => {
    const a = holdTopicFetchBudgets(new Map([['app-index-repartition', 4096]]));
    const b = holdTopicFetchBudgets(new Map([['app-index-repartition', 8192]]));
    assert.equal(bytesOf(withTopicFetchBudgets(request().topics))['app-index-repartition/0'], 8192);
    b();
    b(); // a second release of the same hold changes nothing
    assert.equal(bytesOf(withTopicFetchBudgets(request().topics))['app-index-repartition/0'], 4096);
    const big = request();
    big.topics[0].partitions[0].maxBytes = 1 << 20;
    assert.equal(bytesOf(withTopicFetchBudgets(big.topics))['app-index-repartition/0'], 1 << 20);
    a();
    const untouched = request().topics;
    assert.equal(withTopicFetchBudgets(untouched), untouched, 'nothing held: the same request');
  });
});
