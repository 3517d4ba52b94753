import * as assert from 'node:assert/strict';
import { loadHomeFeedSchema, type HomeFeedSchemaName } from '../../../examples/home-feed/generate/home-feed-schemas';
import type { EngagementEvent, ImageEvent, RecommendationEvent } from '../../../examples/home-feed/generate/home-feed-events';

const engagement: EngagementEvent = {
  eventId: 'e1-7', userId: 'user-0042', pinId: 'pin-000017', action: 'save', eventTime: Date.UTC(2026, 0, 5, 8, 30),
  surface: 'home_feed', dwellMs: 5400, attributes: { appVersion: '12.3' },
};
const image: ImageEvent = {
  pinId: 'pin-000017', creatorId: 'user-0003', createdAt: Date.UTC(2026, 0, 4), category: 'home_decor',
  labels: ['sofa', 'lamp'], embedding: Array.from(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i) / 4)), boardId: null,
};
const recommendation: RecommendationEvent = {
  userId: 'user-0042', version: 3, generatedAt: Date.UTC(2026, 0, 5, 8, 31), eventTime: Date.UTC(2026, 0, 5, 8, 30),
  trigger: 'engagement', modelVersion: 'home-feed-ranker@1',
  items: [{ pinId: 'pin-000017', score: 0.75, source: 'interest' }, { pinId: 'pin-000099', score: 0.5, source: 'fresh' }],
  contentHash: 'ab12',
};

describe('home-feed schemas', () => {
  const cases: Array<[HomeFeedSchemaName, unknown]> = [['engagement', engagement], ['image', image], ['recommendation', recommendation]];
  for (const [name, sample] of cases) {
    it(`${name}.avsc parses, is namespaced, documents every field and round-trips a sample`, () => {
      const schema = loadHomeFeedSchema(name);
      const json = JSON.parse(schema.text) as { namespace: string; doc: string; fields: Array<{ name: string; doc?: string }> };
      assert.equal(json.namespace, 'dev.tributary.homefeed');
      assert.match(json.doc, /schema v1/);
      for (const field of json.fields) assert.ok(field.doc && field.doc.length > 10, `${name}.${field.name} has no doc`);
      const bytes = schema.type.toBuffer(sample);
      assert.deepEqual(JSON.parse(JSON.stringify(schema.type.fromBuffer(bytes))), sample);
    });
  }

  it('rejects an engagement with an action outside the enum', () => {
    assert.throws(() => loadHomeFeedSchema('engagement').type.toBuffer({ ...engagement, action: 'like' }));
  });

  it('fills defaults when a v1 reader meets a writer that lacks the optional fields', () => {
    const avro = loadHomeFeedSchema('engagement').type;
    const minimal = JSON.parse(loadHomeFeedSchema('engagement').text) as { fields: Array<{ name: string }> };
    minimal.fields = minimal.fields.filter((f) => !['surface', 'dwellMs', 'attributes'].includes(f.name));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const writer = (require('avsc') as typeof import('avsc')).Type.forSchema(minimal as never);
    const { surface: _s, dwellMs: _d, attributes: _a, ...rest } = engagement;
    const resolver = avro.createResolver(writer);
    const read = avro.fromBuffer(writer.toBuffer(rest), resolver) as EngagementEvent;
    assert.equal(read.surface, 'home_feed');
    assert.equal(read.dwellMs, 0);
    assert.deepEqual(read.attributes, {});
  });

  it('maps an action symbol unknown to the reader to the enum default', () => {
    const reader = loadHomeFeedSchema('engagement').type;
    const newer = JSON.parse(loadHomeFeedSchema('engagement').text) as { fields: Array<{ name: string; type: { symbols?: string[] } }> };
    newer.fields.find((f) => f.name === 'action')!.type.symbols!.push('repin');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const writer = (require('avsc') as typeof import('avsc')).Type.forSchema(newer as never);
    const read = reader.fromBuffer(writer.toBuffer({ ...engagement, action: 'repin' }), reader.createResolver(writer)) as EngagementEvent;
    assert.equal(read.action, 'unknown');
  });
});
