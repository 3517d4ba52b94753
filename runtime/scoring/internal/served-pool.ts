import type { ScoringPool } from '../scoring-pool';

/** What the protocol handlers use of a scoring pool (tests give a stand-in). */
export type ServedPool = Pick<ScoringPool, 'score' | 'manifest' | 'statistics' | 'serving'>;
