import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { repoRoot } from '../../../runtime/cli/doc-pages';

/** Every .yaml under a folder. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** The checked-in schema (generated-docs.test.ts fails when it is stale), compiled by a real validator. */
function validator(): ReturnType<Ajv2020['compile']> {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'tributary.schema.json'), 'utf8')) as object;
  return new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);
}

/** The whole topologies (a top-level `name:` and `pipelines:`) in the ```yaml blocks of README.md and docs/*.md, by file and block. */
function documentedTopologies(): Array<{ where: string; text: string }> {
  const pages = [path.join(repoRoot, 'README.md'), ...readdirSync(path.join(repoRoot, 'docs')).filter((n) => n.endsWith('.md')).map((n) => path.join(repoRoot, 'docs', n))];
  return pages.flatMap((page) => [...readFileSync(page, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .filter((m) => /^name:/m.test(m[1]!) && /^pipelines:/m.test(m[1]!))
    .map((m, i) => ({ where: `${path.relative(repoRoot, page)} block ${i + 1}`, text: m[1]! })));
}

describe('docs/tributary.schema.json (the language for editors)', () => {
  const validate = validator();
  const check = (text: string): string[] => {
    const ok = validate(parse(text, { merge: true }));
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };

  const files = [
    ...yamlFiles(path.join(repoRoot, 'examples')),
    ...yamlFiles(path.join(repoRoot, 'bench', 'topologies')),
    ...yamlFiles(path.join(repoRoot, 'test', 'fixtures', 'topologies', 'valid')),
    ...yamlFiles(path.join(repoRoot, 'test', 'fixtures', 'runtime')),
    ...yamlFiles(path.join(repoRoot, 'test', 'fixtures', 'telemetry')),
  ].sort();

  it('covers the examples, the bench topologies and the valid topology fixtures', () => {
    assert.ok(files.length >= 10, files.join(', '));
  });

  for (const file of files) {
    it(`accepts ${path.relative(repoRoot, file)}`, () => {
      assert.deepEqual(check(readFileSync(file, 'utf8')), []);
    });
  }

  const documented = documentedTopologies();

  it('covers the whole topologies the README and docs show', () => {
    assert.ok(documented.length >= 2, documented.map((d) => d.where).join(', '));
  });

  for (const { where, text } of documented) {
    it(`accepts the topology in ${where}`, () => {
      assert.deepEqual(check(text), []);
    });
  }

  it('refuses unknown keys, unknown operators, option kinds and durations without a unit', () => {
    const base = ['name: x', 'sources: { s: { topic: t, value: json } }', 'sinks: { o: { topic: u, value: json } }', 'pipelines:', '  p:', '    from: s', '    to: o'];
    const withStep = (step: string): string => [...base, '    steps:', `      - ${step}`].join('\n');
    assert.deepEqual(check(withStep('{ id: f, filter: { expression: value.x > 1 } }')), []);
    assert.deepEqual(check(withStep('{ id: w, window-tumbling: { store: s, size: 1m, aggregate: { fn: count } } }')), []);
    assert.deepEqual(check(withStep('{ id: w, operator: window-tumbling, options: { store: s, size: 1m, aggregate: { fn: count } } }')), []);
    assert.deepEqual(check(withStep('{ id: c, ./ops/count.js: { store: s } }')), []);
    assert.deepEqual(check(withStep('{ id: w, window-tumbling: { store: s, size: "${SIZE:-1m}", aggregate: { fn: count } } }')), []);
    assert.notDeepEqual(check(`${base.join('\n')}\nsoruces: {}`), []);
    assert.notDeepEqual(check(withStep('{ id: f, fitler: { expression: x } }')), []);
    assert.notDeepEqual(check(withStep('{ id: f, filter: { expresion: value.x } }')), []);
    assert.notDeepEqual(check(withStep('{ id: w, window-tumbling: { store: s, size: 10, aggregate: { fn: count } } }')), []);
    assert.notDeepEqual(check(withStep('{ id: w, operator: window-tumbling, options: { store: s, size: 1m, aggregate: { fn: median } } }')), []);
    assert.notDeepEqual(check(withStep('{ filter: { expression: value.x } }')), []);
  });
});
