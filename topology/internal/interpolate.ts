import { isScalar, parse as parseYaml, Scalar, type Document } from 'yaml';
import type { ProblemSink } from './problem-sink';
import { walkNodes } from './yaml-walk';

const placeholder = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every scalar value, in place, so
 * positions stay those of the file. `$${` writes a literal `${`. A plain scalar
 * made only of a placeholder is re-typed (`partitions: ${N:-3}` is a number).
 * Returns the scalars with a variable that has no value (already reported
 * unless `quiet`), so that later checks of their values stay quiet.
 */
export function interpolate(doc: Document, env: NodeJS.ProcessEnv, sink: ProblemSink, quiet = false): ReadonlySet<Scalar> {
  const unresolved = new Set<Scalar>();
  walkNodes(doc, (node, place) => {
    if (!isScalar(node) || place === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
    const text = node.value;
    let missing = false;
    const replaced = text.replace(placeholder, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
      if (match === '$${') return '${';
      const value = env[name as string];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      missing = true;
      if (!quiet) sink.report(node, 'env', `environment variable '${name}' is not set and has no default (write \${${name}:-default})`,
        node.type === Scalar.PLAIN ? offset : 0);
      return '';
    });
    if (missing) unresolved.add(node);
    if (missing || replaced === text) { node.value = replaced; return; }
    node.value = node.type === Scalar.PLAIN ? retype(replaced) : replaced;
  });
  return unresolved;
}

function retype(text: string): unknown {
  try {
    const value: unknown = parseYaml(text);
    return typeof value === 'number' || typeof value === 'boolean' ? value : text;
  } catch {
    return text;
  }
}

export { isScalar };
