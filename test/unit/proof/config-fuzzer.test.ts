import { strict as assert } from 'node:assert';
import type { LintProblem } from '../../../topology/lint-problem';
import { fuzzTopologies, problemDefect } from '../../faults/config-fuzzer';
import { mutateTopologyText, mutationNames } from '../../faults/config-mutator';

const seedText = [
  'name: app', 'sources:', '  events:', '    topic: in', '    value: json', 'pipelines:', '  main:', '    from: events', '    steps:',
  '      - id: shape', '        map: { value: \'{"n": value.x, "s": "a"}\' }', '      - id: big', '        filter: { expression: value.n > 1 }', '    to: out', '',
].join('\n');
const seeds = [{ path: 'seed.yaml', text: seedText }];
const problem = (over: Partial<LintProblem> = {}): LintProblem => ({ file: 'seed.yaml', line: 1, col: 1, kind: 'syntax', message: 'bad', ...over });

describe('config mutator', () => {
  it('gives the same mutant for the same seed and different mutants across seeds', () => {
    const a = mutateTopologyText(seedText, 99, [seedText]);
    assert.deepEqual(mutateTopologyText(seedText, 99, [seedText]), a);
    const distinct = new Set(Array.from({ length: 200 }, (_, i) => mutateTopologyText(seedText, i, [seedText]).text));
    assert.ok(distinct.size > 150, `only ${distinct.size} distinct mutants of 200`);
  });

  it('uses every mutation over enough cases', () => {
    const used = new Set<string>();
    for (let i = 0; i < 2000; i++) for (const m of mutateTopologyText(seedText, i, [seedText]).applied) used.add(m);
    assert.deepEqual([...used].sort(), [...mutationNames].sort());
  });
});

describe('problemDefect', () => {
  it('accepts a positioned problem and names each defect', () => {
    assert.equal(problemDefect(problem(), seedText, 'seed.yaml'), null);
    assert.match(problemDefect(problem({ line: 0 }), seedText, 'seed.yaml')!, /line 0 outside/);
    assert.match(problemDefect(problem({ line: 99 }), seedText, 'seed.yaml')!, /line 99 outside/);
    assert.match(problemDefect(problem({ col: 0 }), seedText, 'seed.yaml')!, /column 0/);
    assert.match(problemDefect(problem({ kind: 'odd' as LintProblem['kind'] }), seedText, 'seed.yaml')!, /kind 'odd'/);
    assert.match(problemDefect(problem({ message: ' ' }), seedText, 'seed.yaml')!, /empty message/);
    assert.match(problemDefect(problem({ file: 'other.yaml' }), seedText, 'seed.yaml')!, /not the file loaded/);
  });
});

describe('fuzzTopologies', () => {
  it('counts valid and rejected mutants from the loader', async () => {
    const s = await fuzzTopologies(seeds, 40, 1, (text) => (text === seedText ? { topology: {}, problems: [] } : { problems: [problem(), problem({ kind: 'unknown-key' })] }));
    assert.equal(s.cases, 40);
    assert.equal(s.valid + s.invalid, 40);
    assert.equal(s.problems, s.invalid * 2);
    assert.equal(s.failures.length, 0);
    assert.equal(s.byKind['unknown-key'], s.invalid);
  });

  it('reports an exception that escapes the loader, with the case seed that reproduces it', async () => {
    const s = await fuzzTopologies(seeds, 5, 1000, () => { throw new TypeError('boom'); });
    assert.equal(s.failures.length, 5);
    assert.match(s.failures[0]!.reason, /exception escaped: TypeError: boom/);
    assert.equal(s.failures[0]!.caseSeed, 1000);
    assert.equal(s.failures[0]!.text, mutateTopologyText(seedText, 1000, [seedText]).text);
  });

  it('reports problems without a position', async () => {
    const s = await fuzzTopologies(seeds, 3, 1, () => ({ problems: [problem({ line: 0, col: 0 })] }));
    assert.equal(s.failures.length, 3);
    assert.match(s.failures[0]!.reason, /problem not positioned: line 0/);
  });

  it('runs every accepted mutant and reports one that fails for a configuration reason', async () => {
    const outcomes = [
      { outcome: 'ran', recordFailures: 2 } as const,
      { outcome: 'skipped', why: 'needs a scoring pool' } as const,
      { outcome: 'failed', reason: 'configuration error in the test driver: no store' } as const,
    ];
    let runs = 0;
    const s = await fuzzTopologies(seeds, 3, 1, () => ({ topology: {}, problems: [] }), async () => outcomes[runs++]!);
    assert.equal(runs, 3);
    assert.equal(s.ran, 1);
    assert.equal(s.recordFailures, 2);
    assert.deepEqual(s.skipped, { 'needs a scoring pool': 1 });
    assert.equal(s.failures.length, 1);
    assert.match(s.failures[0]!.reason, /accepted, then: configuration error in the test driver: no store/);
  });
});
