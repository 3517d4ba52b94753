import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { score } from '../../../operators/score';
import { builtinOperators } from '../../../operators/registry';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import { ConfigError, RecordError } from '../../../core/errors';
import type { ScoringService } from '../../../core/scoring/scoring-service';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';
import { TestContext, rec, runBatches } from '../operators/internal/test-context';

class ScoringContext extends TestContext {
  constructor(readonly scoring: ScoringService) {
    super('rank');
  }
}

const inputs = {
  seq_actions: 'value.user.actions',
  seq_embeddings: 'value.user.sequence',
  seq_age_hours: 'value.user.ages',
  interest: 'value.user.interest',
  hide_embedding: 'value.user.hide',
  candidates: 'lookup.pins[].embedding',
  candidate_features: 'lookup.pins[].features',
};

/** One record per user: its features in the value, candidate pin ids to look up in the pin store. */
function records(count: number, candidates: number) {
  const out = [];
  const pins = new Map<string, { embedding: number[]; features: number[] }>();
  for (let u = 0; u < count; u++) {
    const t = randomRankingRequest(500 + u, candidates);
    const ids: string[] = [];
    for (let c = 0; c < candidates; c++) {
      const id = `pin-${u}-${c}`;
      ids.push(id);
      pins.set(id, {
        embedding: Array.from((t.candidates.data as Float32Array).subarray(c * 32, c * 32 + 32)),
        features: Array.from((t.candidate_features.data as Float32Array).subarray(c * 4, c * 4 + 4)),
      });
    }
    out.push({
      tensors: t,
      record: rec(`user-${u}`, {
        userId: `user-${u}`,
        candidateIds: ids,
        user: {
          actions: Array.from(t.seq_actions.data as BigInt64Array, Number),
          sequence: Array.from(t.seq_embeddings.data as Float32Array),
          ages: Array.from(t.seq_age_hours.data as Float32Array),
          interest: Array.from(t.interest.data as Float32Array),
          hide: Array.from(t.hide_embedding.data as Float32Array),
        },
      }, 1000 + u),
    });
  }
  return { out, pins };
}

describe('score operator', function () {
  this.timeout(60_000);
  let pool: ScoringPool;
  let session: ort.InferenceSession;

  before(async () => {
    pool = await ScoringPool.start({ models: [defaultRankingModelDir], local: { workers: 2, providers: ['cpu'], intraOpThreads: 1, log: () => {} }, batching: { maxBatchRows: 128, maxDelayMs: 2 } });
    session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
  });
  after(() => pool.close());

  it('is in the built-in registry', () => {
    assert.ok(builtinOperators.includes(score));
  });

  it('attaches per-head scores and utility equal to session.run on the same features, in input order', async () => {
    const { out, pins } = records(12, 40);
    const context = new ScoringContext(pool);
    const store = context.keyValueStore<string, unknown>('pin-features');
    for (const [id, v] of pins) store.put(id, v);
    context.commit();
    const [emitted] = await runBatches(score, {
      model: defaultRankingModelDir, inputs, into: 'scores',
      lookups: [{ name: 'pins', store: 'pin-features', keys: 'value.candidateIds' }],
    }, [out.map((o) => o.record)], context);
    assert.equal(emitted.length, 12);
    assert.deepEqual(context.failed, []);
    for (let u = 0; u < 12; u++) {
      const value = emitted[u].value as { userId: string; scores: Record<string, number[] | string> };
      assert.equal(value.userId, `user-${u}`);
      assert.equal(value.scores.modelVersion, '1');
      const expected = await runSession(session, out[u].tensors);
      for (const head of ['click', 'save', 'closeup', 'hide']) {
        const got = value.scores[head] as number[];
        const want = expected[head].data as Float32Array;
        assert.equal(got.length, 40);
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${head}[${i}] ${v} vs ${want[i]}`));
      }
      const utility = value.scores.utility as number[];
      const p = (h: string, i: number) => (value.scores[h] as number[])[i];
      utility.forEach((v, i) => assert.ok(Math.abs(v - (p('click', i) + 3 * p('save', i) + 0.5 * p('closeup', i) - 6 * p('hide', i))) < 1e-9));
    }
  });

  it('hands a record with a missing feature to the error policy, naming the input and offset, and scores the rest', async () => {
    const { out, pins } = records(3, 5);
    const context = new ScoringContext(pool);
    const store = context.keyValueStore<string, unknown>('pin-features');
    for (const [id, v] of pins) store.put(id, v);
    context.commit();
    const broken = { ...out[1].record, value: { ...(out[1].record.value as object), user: { ...(out[1].record.value as { user: object }).user, interest: [1, 2, 3] } } };
    const [emitted] = await runBatches(score, {
      model: defaultRankingModelDir, inputs, into: 'scores',
      lookups: [{ name: 'pins', store: 'pin-features', keys: 'value.candidateIds' }],
    }, [[out[0].record, broken, out[2].record]], context);
    assert.deepEqual(emitted.map((r) => r.key), ['user-0', 'user-2']);
    assert.equal(context.failed.length, 1);
    const err = context.failed[0].error as RecordError;
    assert.ok(err instanceof RecordError);
    assert.match(err.message, /input 'interest' has 3 values, expected 32/);
    assert.deepEqual(err.context, { topic: 'in', partition: 0, offset: '1001', stepId: 'rank' });
  });

  it('fails at create when the inputs do not cover the model or there is no pool', () => {
    const context = new ScoringContext(pool);
    assert.throws(() => score.create({ model: defaultRankingModelDir, inputs: { ...inputs, candidates: undefined, extra: 'value.x' }, into: 'scores' }, context),
      (err: Error) => err instanceof ConfigError && /are missing candidates; do not include extra/.test(err.message));
    assert.throws(() => score.create({ model: defaultRankingModelDir, inputs, into: 'scores' }, new TestContext('rank')), /needs a scoring pool/);
    assert.throws(() => score.create({ model: '/nonexistent/model', inputs, into: 'scores' }, context), /manifest \/nonexistent\/model\/manifest.json cannot be read/);
  });
});
