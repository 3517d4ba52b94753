import * as assert from 'node:assert/strict';
import { loadTopologyText } from '../../../topology';

const problemsOf = (text: string): string[] =>
  loadTopologyText(text, 'hint.yaml', { env: { X: 'topic-x' } }).problems.map((p) => `${p.line}:${p.col} ${p.kind} ${p.message}`);

describe('YAML syntax errors at a ${VAR} placeholder in flow style', () => {
  it('says why a placeholder in a flow list fails and what to write instead, once', () => {
    const problems = problemsOf('name: x\nsources:\n  s: { topic: t, value: json }\npipelines:\n  p: { from: [s], to: [${X}] }\n');
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^5:24 syntax \$\{X\} cannot be written unquoted inside a flow mapping or list .* Quote it \("\$\{X\}"\)/);
  });

  it('explains a placeholder with a default the same way', () => {
    const problems = problemsOf('name: x\nsources:\n  s: { topic: ${X:-clicks}, value: json }\n');
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^3:15 syntax \$\{X:-clicks\} cannot be written unquoted/);
  });

  it('leaves other flow syntax errors as the parser reports them', () => {
    const problems = problemsOf('name: x\nsources:\n  s: { topic: "${X}", value: json\n');
    assert.ok(problems.length > 0);
    for (const p of problems) assert.doesNotMatch(p, /unquoted/);
  });
});
