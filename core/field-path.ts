/**
 * The one reader of dotted field paths (`meta.ts`, `value.pinId`): each step reads a property
 * of what the previous one gave; a missing step, null or undefined on the way reads as undefined.
 * The path is split once, when it is compiled, not per record. (`score` steps' tensor paths add
 * a `[]` list step on top of this grammar: operators/record-tensors.ts.)
 */
export function compileFieldPath(path: string): (from: unknown) => unknown {
  const steps = path.split('.');
  return (from) => {
    let current = from;
    for (const step of steps) {
      if (current === null || current === undefined) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
    return current;
  };
}
