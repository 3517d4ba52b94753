import type { TensorData } from '../../../core/scoring/scoring-service';
import { CANDIDATE_FEATURES, EMBEDDING_DIM, SEQUENCE_LENGTH } from './ranking-model';
import { SeededRandom } from './internal/seeded-random';

/**
 * Inputs of one ranking request for `users` users with `candidatesPerUser`
 * candidates each, drawn from a seed: for tests and benchmarks of the
 * scoring pool (the flagship builds real ones from its stores).
 */
export function randomRankingRequest(seed: number, candidatesPerUser: number, users = 1): Record<string, TensorData> {
  const rnd = new SeededRandom(seed);
  const D = EMBEDDING_DIM;
  const N = SEQUENCE_LENGTH;
  const C = candidatesPerUser * users;
  const actions = new BigInt64Array(users * N);
  const ages = new Float32Array(users * N);
  for (let u = 0; u < users; u++) {
    const length = 1 + Math.floor(rnd.uniform() * N);
    for (let n = 0; n < length; n++) {
      actions[u * N + n] = BigInt(1 + Math.floor(rnd.uniform() * 6));
      ages[u * N + n] = n * 3 + rnd.uniform() * 3;
    }
  }
  const candidateUser = new BigInt64Array(C);
  for (let c = 0; c < C; c++) candidateUser[c] = BigInt(Math.floor(c / candidatesPerUser));
  const features = new Float32Array(C * CANDIDATE_FEATURES.length);
  for (let i = 0; i < features.length; i++) features[i] = rnd.uniform();
  return {
    seq_actions: { type: 'int64', dims: [users, N], data: actions },
    seq_embeddings: { type: 'float32', dims: [users, N, D], data: rnd.normals(users * N * D, 1) },
    seq_age_hours: { type: 'float32', dims: [users, N], data: ages },
    interest: { type: 'float32', dims: [users, D], data: rnd.normals(users * D, 1) },
    hide_embedding: { type: 'float32', dims: [users, D], data: rnd.normals(users * D, 1) },
    candidates: { type: 'float32', dims: [C, D], data: rnd.normals(C * D, 1) },
    candidate_features: { type: 'float32', dims: [C, CANDIDATE_FEATURES.length], data: features },
    candidate_user: { type: 'int64', dims: [C], data: candidateUser },
  };
}
