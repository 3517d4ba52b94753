import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopologyText } from '../../../../topology/topology-loader';

/**
 * The messages `tributary validate` gives for a topology of one step (its YAML lines, e.g.
 * `- id: s` / `  window-hopping: {...}`) between a json source and sink, with the named stores
 * declared: where operator options are checked, once, before any operator is created.
 */
export function stepProblems(step: readonly string[], stores: readonly string[] = []): string[] {
  const text = [
    'name: step-check',
    'kafka: { brokers: 127.0.0.1:9092 }',
    'sources:',
    '  input: { topic: input, key: string, value: json }',
    ...(stores.length ? ['stores:', ...stores.map((s) => `  ${s}: {}`)] : []),
    'sinks:',
    '  out: { topic: out, key: json, value: json }',
    'pipelines:',
    '  main:',
    '    from: input',
    '    steps:',
    ...step.map((line) => `      ${line}`),
    '    to: out',
  ].join('\n');
  return loadTopologyText(text, join(tmpdir(), 'step-check.yaml'), { env: {} }).problems.map((p) => p.message);
}
