/**
 * HitRate@K and NDCG@K for one relevant item per query (a held-out
 * engagement): a hit when the item is in the top K; NDCG is 1/log2(rank+1)
 * for a hit at 1-based rank, 0 otherwise (the ideal DCG of one item is 1).
 */
export class RankingMetrics {
  private queries = 0;
  private hits = 0;
  private dcg = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`K must be a positive integer (got ${k})`);
  }

  /** Scores one query: `list` best first (undefined when there was no list, a miss). */
  add(list: readonly string[] | undefined, relevant: string): void {
    this.queries++;
    if (!list) return;
    const limit = Math.min(this.k, list.length);
    for (let i = 0; i < limit; i++) {
      if (list[i] === relevant) {
        this.hits++;
        this.dcg += 1 / Math.log2(i + 2);
        return;
      }
    }
  }

  get count(): number {
    return this.queries;
  }

  /** Share of queries whose item was in the top K (0 when there were none). */
  get hitRate(): number {
    return this.queries ? this.hits / this.queries : 0;
  }

  /** Mean NDCG@K over the queries (0 when there were none). */
  get ndcg(): number {
    return this.queries ? this.dcg / this.queries : 0;
  }
}
