/**
 * Weighted sampling from a list that only grows (pins arrive, none leave):
 * cumulative weights in an array, so adding is O(1) and drawing is a binary
 * search.
 */
export class AppendOnlyWeightedSampler<T> {
  private readonly items: T[] = [];
  private readonly cumulative: number[] = [];

  get size(): number {
    return this.items.length;
  }

  add(item: T, weight: number): void {
    const last = this.cumulative.length ? this.cumulative[this.cumulative.length - 1] : 0;
    this.items.push(item);
    this.cumulative.push(last + weight);
  }

  /** Draws one item for a uniform u in [0, 1); undefined when empty. */
  draw(u: number): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const target = u * this.cumulative[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
