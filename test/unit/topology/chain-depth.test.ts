import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadTopologyText, formatProblem } from '../../../topology';
import { MAX_CHAIN_DEPTH } from '../../../topology/internal/chain-depth';

const file = path.join(__dirname, 'chain.yaml');

/** `pipelines` chained one after another (the first reads `src`), each with `steps[i]` filter steps. */
function chained(steps: readonly number[], extra = ''): string {
  const lines = ['name: chain', 'sources:', '  src: { topic: src, value: json }', 'pipelines:'];
  steps.forEach((n, i) => {
    lines.push(`  p${i}:`, `    from: ${i === 0 ? 'src' : `p${i - 1}`}`);
    if (n > 0) lines.push('    steps:', ...Array.from({ length: n }, (_, k) => `      - { id: p${i}s${k}, filter: { expression: value.x > ${k} } }`));
    if (i === steps.length - 1) lines.push('    to: out');
  });
  lines.push('sinks:', '  out: { topic: out, value: json }', extra);
  return lines.join('\n');
}

describe('chain depth (topology/internal/chain-depth.ts)', () => {
  it('accepts a chain of exactly the limit across pipelines, and pipelines without steps cost nothing', () => {
    const { problems } = loadTopologyText(chained([...Array(MAX_CHAIN_DEPTH / 2).fill(2), 0, 0, 0]), file, { env: {} });
    assert.deepEqual(problems.map(formatProblem), []);
  });

  it('refuses the first step past the limit, at its position, naming the chain', () => {
    const { problems } = loadTopologyText(chained([...Array(MAX_CHAIN_DEPTH / 2).fill(2), 3]), file, { env: {} });
    assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
    const [p] = problems;
    assert.equal(p.kind, 'limit');
    // The last pipeline's first step is step 401: its line is that step's.
    assert.match(p.message, new RegExp(`^step 'p${MAX_CHAIN_DEPTH / 2}s0' is step ${MAX_CHAIN_DEPTH + 1} of a chain \\(pipelines p0 -> p1 -> p2 -> … \\(195 more\\) … -> p198 -> p199 -> p200\\)`));
    const lines = chained([...Array(MAX_CHAIN_DEPTH / 2).fill(2), 3]).split('\n');
    assert.equal(lines[p.line - 1].trim().startsWith(`- { id: p${MAX_CHAIN_DEPTH / 2}s0,`), true, lines[p.line - 1]);
  });

  it('counts steps within one pipeline the same way', () => {
    const { problems } = loadTopologyText(chained([MAX_CHAIN_DEPTH + 5]), file, { env: {} });
    assert.deepEqual(problems.map((p) => [p.kind, p.message.split(' (')[0]]), [['limit', `step 'p0s${MAX_CHAIN_DEPTH}' is step ${MAX_CHAIN_DEPTH + 1} of a chain`]]);
  });

  it('takes the deepest way into a pipeline that several feed', () => {
    const text = [
      'name: fan-in', 'sources:', '  src: { topic: src, value: json }', 'pipelines:',
      '  shallow:', '    from: src', '    steps:', '      - { id: a, filter: { expression: value.x > 1 } }',
      '  deep:', '    from: src', '    steps:', ...Array.from({ length: MAX_CHAIN_DEPTH - 1 }, (_, k) => `      - { id: d${k}, filter: { expression: value.x > ${k} } }`),
      '  both:', '    from: [shallow, deep]', '    steps:', '      - { id: b0, filter: { expression: value.x > 1 } }', '      - { id: b1, filter: { expression: value.x > 2 } }', '    to: out',
      'sinks:', '  out: { topic: out, value: json }',
    ].join('\n');
    const { problems } = loadTopologyText(text, file, { env: {} });
    assert.deepEqual(problems.map((p) => [p.kind, p.message.split(':')[0]]), [['limit', `step 'b1' is step ${MAX_CHAIN_DEPTH + 1} of a chain (pipelines deep -> both)`]]);
  });

  it('ends a 20,000-pipeline chain closed into a cycle with the cycle and the limit, without checking its 20,000 expressions', () => {
    const steps = Array(20_000).fill(1);
    const text = chained(steps).replace('    from: src\n', '    from: p19999\n');
    // An expression that does not parse, past the limit: not reported, since expressions are not checked on such a file.
    const broken = text.replace('p19990s0, filter: { expression: value.x > 0 }', 'p19990s0, filter: { expression: "value.x >" }');
    assert.notEqual(broken, text);
    const { problems } = loadTopologyText(broken, file, { env: {} });
    assert.deepEqual(problems.map((p) => p.kind), ['cycle', 'limit']);
  });
});
