/**
 * How a global store's source records become store entries (runtime/kafka/global-stores.ts):
 * JSON values keep the bytes they arrived in (no second serialisation per process), other
 * formats are serialised by the store's serde, tombstones delete, keyless records are
 * dropped, and bad records follow the source's onError (dead-letter, skip, fail).
 */
import { strict as assert } from 'node:assert';
import { jsonSerde } from '../../../schemas/serde-json';
import { stringSerde } from '../../../schemas/serde-string';
import { globalRecordDecoder } from '../../../runtime/kafka/global-stores';
import type { TopicDecoding } from '../../../runtime/kafka/record-decoder';
import type { DeadLetter } from '../../../runtime/kafka/dead-letter';
import { jsonValueSerde } from '../../../runtime/state/serde-json-value';
import { structuredKeySerde } from '../../../runtime/state/serde-structured-key';
import type { ConsumedMessage } from '../../../runtime/kafka/client/kafka-client';
import type { Logger } from '../../../core/logger';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function message(offset: number, key: string | null, value: string | null): ConsumedMessage {
  return { offset: String(offset), key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: '0' };
}

function decoding(value: TopicDecoding['value'], onError: TopicDecoding['onError'] = 'dead-letter', skipped: string[] = []): TopicDecoding {
  return { topic: 'pins', key: stringSerde, value, onError, onSkip: (s) => skipped.push(s.offset) };
}

describe('global store records to entries', () => {
  it('keeps the bytes of JSON values, deletes on tombstones and drops keyless records', async () => {
    const raw = '{ "n": 1,  "tags": ["a"] }';
    const decode = globalRecordDecoder(decoding(jsonSerde), quiet);
    const entries = await decode(0, [message(10, 'p1', raw), message(11, null, '{"n":2}'), message(12, 'p2', null)]);
    assert.equal(entries.length, 2);
    assert.deepEqual(structuredKeySerde.deserialize(entries[0].key), 'p1');
    assert.equal(entries[0].value!.toString(), raw, 'the arriving bytes, spacing and all');
    assert.deepEqual(jsonValueSerde.deserialize(entries[0].value!), { n: 1, tags: ['a'] });
    assert.deepEqual(structuredKeySerde.deserialize(entries[1].key), 'p2');
    assert.equal(entries[1].value, null, 'a tombstone deletes');
  });

  it("serialises values of other formats with the store's serde", async () => {
    const entries = await globalRecordDecoder(decoding(stringSerde), quiet)(0, [message(1, 'k', 'plain text')]);
    assert.equal(entries[0].value!.toString(), '"plain text"');
  });

  it('sends records that do not decode to the dead-letter topic, original bytes kept, and the good ones on', async () => {
    const letters: DeadLetter[] = [];
    const decode = globalRecordDecoder(decoding(jsonSerde), quiet, async (l) => { letters.push(...l); });
    const entries = await decode(3, [message(1, 'a', '{"ok":1}'), message(2, 'b', '{broken'), message(3, 'c', '{"ok":3}')]);
    assert.deepEqual(entries.map((e) => structuredKeySerde.deserialize(e.key)), ['a', 'c']);
    assert.deepEqual(entries.map((e) => e.value!.toString()), ['{"ok":1}', '{"ok":3}'], 'bytes of the records around the bad one');
    assert.equal(letters.length, 1);
    assert.deepEqual([letters[0].stage, letters[0].topic, letters[0].partition, letters[0].offset, letters[0].value!.toString()], ['deserialize', 'pins', 3, '2', '{broken']);
  });

  it('skips them under onError: skip and stops under onError: fail', async () => {
    const skipped: string[] = [];
    const entries = await globalRecordDecoder(decoding(jsonSerde, 'skip', skipped), quiet)(0, [message(5, 'a', 'nope'), message(6, 'b', '1')]);
    assert.deepEqual(skipped, ['5']);
    assert.equal(entries.length, 1);
    await assert.rejects(globalRecordDecoder(decoding(jsonSerde, 'fail'), quiet)(0, [message(7, 'a', 'nope')]));
  });

  it('refuses to drop bad records silently when no dead-letter producer is given', async () => {
    await assert.rejects(globalRecordDecoder(decoding(jsonSerde), quiet)(0, [message(8, 'a', 'nope')]), /no dead-letter producer/);
  });
});
