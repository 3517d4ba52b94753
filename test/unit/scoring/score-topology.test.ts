import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { TopologyTestDriver } from '../../../runtime/processing/topology-test-driver';
import { ScoringPool } from '../../../runtime/scoring/scoring-pool';
import { runSession } from '../../../runtime/scoring/internal/onnx-session';
import { loadTopologyText, type CompiledTopology } from '../../../topology';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';
import { randomRankingRequest } from '../../../examples/home-feed/model/random-ranking-request';

const root = path.resolve(__dirname, '../../../..');

describe('score step in a YAML topology', function () {
  this.timeout(60_000);

  it('scores records piped through the topology test driver with the scoring pool', async () => {
    const { topology, problems } = loadTopologyText(`name: scoring
sources:
  requests: {topic: requests, value: json}
pipelines:
  rank:
    from: requests
    steps:
      - id: score-candidates
        score:
          model: ${defaultRankingModelDir}
          inputs:
            seq_actions: value.user.actions
            seq_embeddings: value.user.sequence
            seq_age_hours: value.user.ages
            interest: value.user.interest
            hide_embedding: value.user.hide
            candidates: value.candidates[].embedding
            candidate_features: value.candidates[].features
    to: scored
sinks:
  scored: {topic: scored, value: json}
`, path.join(root, 'test/fixtures/topologies/scoring-inline.yaml'), { env: {} });
    assert.deepEqual(problems, []);
    const pool = await ScoringPool.start({ models: [defaultRankingModelDir], local: { workers: 1, providers: ['cpu'], log: () => {} }, batching: { maxBatchRows: 64, maxDelayMs: 1 } });
    const driver = await TopologyTestDriver.open(topology as CompiledTopology, { scoring: pool });
    try {
      const requests = [0, 1, 2].map((i) => randomRankingRequest(300 + i, 6));
      await driver.pipe('requests', requests.map((t, i) => ({
        key: `u${i}`,
        timestamp: 10 + i,
        value: {
          user: {
            actions: Array.from(t.seq_actions.data as BigInt64Array, Number),
            sequence: Array.from(t.seq_embeddings.data as Float32Array),
            ages: Array.from(t.seq_age_hours.data as Float32Array),
            interest: Array.from(t.interest.data as Float32Array),
            hide: Array.from(t.hide_embedding.data as Float32Array),
          },
          candidates: Array.from({ length: 6 }, (_, c) => ({
            embedding: Array.from((t.candidates.data as Float32Array).subarray(c * 32, c * 32 + 32)),
            features: Array.from((t.candidate_features.data as Float32Array).subarray(c * 4, c * 4 + 4)),
          })),
        },
      })));
      const out = driver.readOutput('scored');
      assert.deepEqual(out.map((r) => r.key), ['u0', 'u1', 'u2']);
      assert.deepEqual(driver.failures, []);
      const session = await ort.InferenceSession.create(path.join(defaultRankingModelDir, 'model.onnx'));
      for (let i = 0; i < 3; i++) {
        const scores = (out[i].value as { scores: { modelVersion: string; save: number[] } }).scores;
        assert.equal(scores.modelVersion, '1');
        const want = (await runSession(session, requests[i])).save.data as Float32Array;
        scores.save.forEach((v, c) => assert.ok(Math.abs(v - want[c]) < 1e-5, `u${i} save[${c}]`));
      }
    } finally {
      await driver.close();
      await pool.close();
    }
  });
});
