import { defineOperator } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import { batchOperator } from '../../../operators/batch-operator';
import { carriedPin, PinIndex, type IndexView } from '../lib/pin-index';
import { isPinIndexUpdate, pinIndexKeys, type PinIndexUpdate } from '../lib/pin-index-update';
import { StoreView } from '../lib/store-view';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/**
 * Keeps the pin index: applies pin-index updates (a pin's image; an
 * engagement's counters, popularity and co-engagement) to the index store,
 * and publishes every entry a batch changed, once with its final value, to
 * the `features` sink, keyed by the entry's key: the topic that fills the
 * global store every task's retrieval reads. Emits, for a new pin, one
 * `new_pin` trigger per user who recently engaged with its labels (key: the
 * userId), so fresh content reaches matching users.
 *
 * ```
 * index: {pin-index}  features: pin-features
 * pin-index:{image p1 [cats]} ─|
 * u7:{new_pin p1} ─|          pin-features: pin:p1, label:cats, category:…, fresh
 * ```
 */
export const spec = defineOperator({
  name: 'index-pin',
  summary: 'Apply pin-index updates; publish changed entries to a sink; emit new_pin triggers keyed by the users following its labels.',
  stateful: true,
  changesKey: true,
  example: ['- id: index-pins', '  operator: ./operators/index-pin.ts', '  options:', '    index: pin-index', '    features: pin-features'].join('\n'),
  options: {
    index: { kind: 'store', required: true, description: 'The pin index store (pin features and candidate lists), written only by this step.' },
    features: { kind: 'sink', required: true, description: 'Sink (key: string, value: json) receiving each changed index entry, for a global store.' },
    ...settingsOptions,
  },
  create(options, context) {
    const settings = settingsFrom(options);
    const sink = options.features;
    return batchOperator(async (records) => {
      const view = new StoreView(context.keyValueStore<string, unknown>(options.index), options.index);
      const updates: Array<PinIndexUpdate | undefined> = records.map((r) => (isPinIndexUpdate(r.value) ? r.value : undefined));
      const valid = updates.filter((u): u is PinIndexUpdate => u !== undefined);
      const keys = pinIndexKeys(valid);
      await view.load(keys.first);
      await view.load(keys.second((key) => view.get(key)));
      // Staged: an entry a batch changes many times (the popularity lists, on every engagement) is
      // serialized into the store once, at the flush below, which names the entries changed.
      const staging: IndexView = { get: (key) => view.get(key), put: (key, value) => view.stage(key, value) };
      const index = new PinIndex(staging, settings);
      const out: StreamRecord[] = [];
      let last: StreamRecord | undefined;
      records.forEach((record, i) => {
        const update = updates[i];
        if (!update) {
          context.recordFailed(record, new Error(`step ${context.stepId}: not a pin-index update (want {kind: image, image} or {kind: engagements, engagements: [{userId, pinId, action, eventTime, previous}]})`));
          return;
        }
        last = record;
        if (update.kind === 'engagements') {
          for (const e of update.engagements) index.recordEngagement(e, e.previous);
          return;
        }
        const image = update.image;
        if (!Array.isArray(image.embedding) || image.embedding.length !== 32) {
          context.recordFailed(record, new Error(`image ${image.pinId}: embedding has ${image.embedding?.length} values, expected 32`));
          return;
        }
        // The trigger carries the pin: its followers' tasks see the index through the global
        // store, which holds the pin only once this task has committed (about a commit interval
        // later), and a fresh-content update without the pin that caused it would be late content.
        const pin = carriedPin(index.addPin(image));
        for (const userId of index.followers(image.labels)) {
          out.push({ key: userId, value: { userId, trigger: 'new_pin', pinId: image.pinId, pin }, timestamp: record.timestamp, headers: {}, source: record.source });
        }
      });
      const changed = view.flush();
      // One record per changed entry and batch (the last value wins in the global store anyway).
      if (last) {
        for (const key of changed) {
          context.sideOutput(sink, { key, value: view.get(key) ?? null, timestamp: last.timestamp, headers: {}, source: last.source });
        }
      }
      return out;
    });
  },
});
