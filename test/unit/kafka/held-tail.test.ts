import { strict as assert } from 'node:assert';
import type { ConsumedMessage } from '../../../runtime/kafka/client/kafka-client';
import { HeldTails } from '../../../runtime/kafka/held-tail';
import type { DecodedBatch } from '../../../runtime/kafka/record-decoder';

const message = (offset: number): ConsumedMessage => ({ offset: String(offset), key: null, value: Buffer.from(`v${offset}`), timestamp: String(offset * 10) });
const messages = (from: number, to: number): ConsumedMessage[] => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

/** A decoder that counts the messages it decoded; offset 7 is poison. */
function counting(): { decode: (m: readonly ConsumedMessage[]) => Promise<DecodedBatch>; decoded: string[] } {
  const decoded: string[] = [];
  return {
    decoded,
    decode: async (batch) => {
      decoded.push(...batch.map((m) => m.offset));
      const good = batch.filter((m) => m.offset !== '7');
      return {
        records: good.map((m) => ({ key: null, value: m.value!.toString(), timestamp: Number(m.timestamp), headers: {}, source: { topic: 't', partition: 0, offset: m.offset } })),
        poison: batch.filter((m) => m.offset === '7').map((m) => ({ stage: 'deserialize', error: new Error('bad'), topic: 't', partition: 0, offset: m.offset, key: null, value: m.value })),
      };
    },
  };
}

describe('HeldTails', () => {
  it('decodes a held tail once: the batch fetched again from its first offset reuses it and decodes only what is new', async () => {
    const tails = new HeldTails();
    const c = counting();
    const first = await tails.decode('t', messages(0, 9), c.decode);
    // Alignment held offsets 5 … 9.
    tails.keep('t', 5n, 9n, { records: first.records.filter((r) => Number(r.source!.offset) >= 5), poison: first.poison });
    c.decoded.length = 0;
    const again = await tails.decode('t', messages(5, 14), c.decode);
    assert.deepEqual(c.decoded, ['10', '11', '12', '13', '14'], 'only the new offsets are decoded');
    assert.deepEqual(again.records.map((r) => r.source!.offset), ['5', '6', '8', '9', '10', '11', '12', '13', '14']);
    assert.deepEqual(again.poison.map((p) => p.offset), ['7'], 'a poison record of the tail is still reported');
    c.decoded.length = 0;
    await tails.decode('t', messages(5, 14), c.decode);
    assert.equal(c.decoded.length, 10, 'a tail is used once');
  });

  it('takes only the offsets a shorter fetch returned', async () => {
    const tails = new HeldTails();
    const c = counting();
    const first = await tails.decode('t', messages(0, 9), c.decode);
    tails.keep('t', 5n, 9n, { records: first.records.filter((r) => Number(r.source!.offset) >= 5), poison: first.poison });
    const again = await tails.decode('t', messages(5, 6), c.decode);
    assert.deepEqual(again.records.map((r) => r.source!.offset), ['5', '6']);
    assert.deepEqual(again.poison, []);
  });

  it('drops a tail when the next batch starts elsewhere (a seek, a replay) or is of another topic', async () => {
    const tails = new HeldTails();
    const c = counting();
    const first = await tails.decode('t', messages(0, 9), c.decode);
    tails.keep('t', 5n, 9n, { records: first.records.filter((r) => Number(r.source!.offset) >= 5), poison: [] });
    await tails.decode('u', messages(5, 9), c.decode);
    c.decoded.length = 0;
    await tails.decode('t', messages(2, 9), c.decode);
    assert.equal(c.decoded.length, 8, 'decoded whole: the batch starts before the tail');
    c.decoded.length = 0;
    await tails.decode('t', messages(5, 9), c.decode);
    assert.equal(c.decoded.length, 5, 'the tail was dropped by the batch that did not fit');
  });
});
