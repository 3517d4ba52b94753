/** Reads a value out of a plain object by a compiled field path. */
export type FieldPath = (from: unknown) => unknown;

/**
 * The one reader of field paths: `meta.ts`, `value.pinId`, and `[]` steps that map over a list
 * (`candidates[].embedding`: the `embedding` of every candidate; a bare `[]` step maps over the
 * value itself). Each step reads a property of what the previous one gave; a missing step, null
 * or undefined on the way reads as undefined, and so does a `[]` step on something that is not a
 * list. Empty steps (`a..b`, a trailing dot) are skipped. The path is split once, when it is
 * compiled, not per record; a path without `[]` (every record accessor and event-time field)
 * reads in a plain loop.
 */
export function compileFieldPath(path: string): FieldPath {
  const steps = path.split('.').filter((step) => step.length > 0);
  if (!steps.some((step) => step.endsWith('[]'))) {
    return (from) => {
      let current = from;
      for (const step of steps) {
        if (current === null || current === undefined) return undefined;
        current = (current as Record<string, unknown>)[step];
      }
      return current;
    };
  }
  const walk = (value: unknown, i: number): unknown => {
    if (i === steps.length || value === null || value === undefined) return value;
    const step = steps[i];
    if (step.endsWith('[]')) {
      const list = step === '[]' ? value : (value as Record<string, unknown>)[step.slice(0, -2)];
      if (!Array.isArray(list)) return undefined;
      return list.map((item) => walk(item, i + 1));
    }
    return walk((value as Record<string, unknown>)[step], i + 1);
  };
  return (from) => walk(from, 0);
}
