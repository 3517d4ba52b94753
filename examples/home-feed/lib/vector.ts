/** Small dense-vector helpers over plain number arrays (state stays JSON). */

/** Dot product of two equally long vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  return na > 0 && nb > 0 ? dot(a, b) / (na * nb) : 0;
}

/** `target * scale + v * weight`, in place; returns target. */
export function scaleAdd(target: number[], scale: number, v: ArrayLike<number>, weight: number): number[] {
  for (let i = 0; i < target.length; i++) target[i] = target[i] * scale + v[i] * weight;
  return target;
}

/** Exponential decay: the weight left after `elapsedMs` with the given half-life. */
export function decay(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? 1 : Math.pow(2, -elapsedMs / halfLifeMs);
}
