import type { OperatorSpec } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';
import type { ImageEvent } from '../generate/home-feed-events';
import { batchOperator } from '../../../operators/batch-operator';
import { PinIndex } from '../lib/pin-index';
import { StoreView } from '../lib/store-view';
import { settingsFrom, settingsOptions } from '../lib/settings-options';

/**
 * Pin features and candidate indexes from image events: the pin's content
 * and counters, newest pins per label and category, fresh pins. Emits, for a
 * new pin, one `new_pin` trigger per user who recently engaged with its
 * labels (key: the userId), so fresh content reaches matching users.
 */
export const spec: OperatorSpec = {
  name: 'index-pin',
  summary: 'Index a pin (content, label/category/fresh lists); emit new_pin triggers keyed by the users following its labels.',
  stateful: true,
  changesKey: true,
  example: ['- id: index-pins', '  operator: ./operators/index-pin.ts', '  options:', '    index: pin-index'].join('\n'),
  options: {
    index: { kind: 'store', access: 'shared', required: true, description: 'The pin index store (pin features and candidate lists); written with update-user-features.' },
    ...settingsOptions,
  },
  create(options, context) {
    const settings = settingsFrom(options);
    return batchOperator(async (records) => {
      const view = new StoreView(context.keyValueStore<string, unknown>(String(options.index)), String(options.index));
      const images = records.map((r) => r.value as ImageEvent);
      await view.load(images.flatMap((image) => PinIndex.keysForImage(image)));
      const index = new PinIndex(view, settings);
      const out: StreamRecord[] = [];
      records.forEach((record, i) => {
        const image = images[i];
        if (!Array.isArray(image.embedding) || image.embedding.length !== 32) {
          context.recordFailed(record, new Error(`image ${image.pinId}: embedding has ${image.embedding?.length} values, expected 32`));
          return;
        }
        index.addPin(image);
        for (const userId of index.followers(image.labels)) {
          out.push({ key: userId, value: { userId, trigger: 'new_pin', pinId: image.pinId }, timestamp: record.timestamp, headers: {}, source: record.source });
        }
      });
      return out;
    });
  },
};
