/** What counts as a material difference for emit-on-change. */
export interface MaterialRules {
  readonly ignore: ReadonlySet<string>;
  readonly tolerance: number;
  readonly prefix?: number;
}

/** Deep equality where near numbers are equal, ignored fields skipped and lists cut to a prefix. */
export function materiallyEqual(a: unknown, b: unknown, rules: MaterialRules): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= rules.tolerance;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const n = rules.prefix ?? Infinity;
    const left = a.slice(0, n);
    const right = b.slice(0, n);
    return left.length === right.length && left.every((x, i) => materiallyEqual(x, right[i], rules));
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !rules.ignore.has(k)));
  for (const key of keys) {
    if (!materiallyEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], rules)) return false;
  }
  return true;
}
