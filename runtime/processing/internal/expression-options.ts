import type { OptionSpec, ResolvedOptions } from '../../../operators/operator-spec';
import { recordExpression } from '../../../operators/record-expression';

/**
 * Replaces every `expression` option (at any depth the spec declares) with a
 * compiled function, so each operator gets CEL without compiling it itself.
 * Operators accept either form; the compiled topology keeps the text.
 */
export function compileExpressionOptions(options: ResolvedOptions, specs: Readonly<Record<string, OptionSpec>>, stepId: string): ResolvedOptions {
  const out: Record<string, unknown> = { ...options };
  for (const [name, spec] of Object.entries(specs)) {
    if (out[name] !== undefined) out[name] = compileValue(out[name], spec, name, stepId);
  }
  return out;
}

function compileValue(value: unknown, spec: OptionSpec, path: string, stepId: string): unknown {
  if (spec.kind === 'expression' && typeof value === 'string') return recordExpression(value, path, stepId);
  if (spec.kind === 'list' && spec.items && Array.isArray(value)) {
    return value.map((item, i) => compileValue(item, spec.items as OptionSpec, `${path}[${i}]`, stepId));
  }
  if (spec.kind === 'object' && spec.fields && typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [name, field] of Object.entries(spec.fields)) {
      if (out[name] !== undefined) out[name] = compileValue(out[name], field, `${path}.${name}`, stepId);
    }
    return out;
  }
  return value;
}
