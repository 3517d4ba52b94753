import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadTopologyText, type LoadResult } from '../../../topology';
import { parseYamlFast } from '../../../topology/internal/yaml-fast-parser';
import { REPO_ROOT } from '../../helpers/machine-info';
import { defaultSeedPaths, yamlFiles } from '../../faults/config-fuzz';
import { readSeeds } from '../../faults/config-fuzzer';
import { mutateTopologyText } from '../../faults/config-mutator';

const fixtures = yamlFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'topologies')).sort();
const examples = yamlFiles(path.join(REPO_ROOT, 'examples')).sort();

/** Both parsers' results for one text, and where they differ (undefined when they agree). */
function compare(text: string, file: string): { fast: LoadResult; yaml: LoadResult; difference?: string } {
  const fast = loadTopologyText(text, file, { env: {} });
  const yaml = loadTopologyText(text, file, { env: {}, yamlParser: 'yaml' });
  if (!isDeepStrictEqual(fast.problems, yaml.problems)) {
    return { fast, yaml, difference: `problems differ:\n  fast: ${JSON.stringify(fast.problems)}\n  yaml: ${JSON.stringify(yaml.problems)}` };
  }
  if (!isDeepStrictEqual(fast.topology, yaml.topology)) return { fast, yaml, difference: 'compiled topologies differ' };
  return { fast, yaml };
}

describe('yaml fast parser (js-yaml, with yaml where it cannot)', () => {
  it('gives every fixture and example topology the same problems (kind, message, line, col) and compiled topology as yaml alone', () => {
    assert.ok(fixtures.length > 50 && examples.length >= 5, `found ${fixtures.length} fixtures and ${examples.length} examples`);
    const differences = [...fixtures, ...examples].flatMap((file) => {
      const { difference } = compare(readFileSync(file, 'utf8'), file);
      return difference ? [`${path.relative(REPO_ROOT, file)}: ${difference}`] : [];
    });
    assert.deepEqual(differences, []);
  });

  it('parses every valid fixture and example itself, without falling back to yaml', () => {
    const valid = [...fixtures.filter((f) => f.includes(`${path.sep}valid${path.sep}`)), ...examples];
    assert.deepEqual(valid.filter((file) => parseYamlFast(readFileSync(file, 'utf8')) === undefined).map((f) => path.relative(REPO_ROOT, f)), []);
  });

  it('gives 120 config-fuzzer mutants the same problems and topology as yaml alone', () => {
    const seeds = readSeeds(defaultSeedPaths());
    const donors = seeds.map((s) => s.text);
    const differences: string[] = [];
    for (let i = 0; i < 120; i++) {
      const base = seeds[i % seeds.length];
      const mutant = mutateTopologyText(base.text, 7000 + i, donors);
      const { difference } = compare(mutant.text, base.path);
      if (difference) differences.push(`case seed ${7000 + i} (${mutant.applied.join(', ')}) of ${path.relative(REPO_ROOT, base.path)}: ${difference}`);
    }
    assert.deepEqual(differences, []);
  });

  // Each row: what js-yaml accepts (or reads otherwise) that yaml does not, so the fast path must leave it to yaml.
  const leftToYaml: Array<[string, string]> = [
    ['a lone carriage return (a line break for js-yaml only)', 'name: a\rb: 1\n'],
    ['a flow sequence not indented past its key', 'name: a\nb:\n  c: [\n  1]\n'],
    ['a multi-line quoted scalar at column 1', 'name: "x\ny"\n'],
    ['a comment touching a closing quote', 'name: "a"#c\n'],
    ['a comment touching a flow collection', 'name: a\nb: [1]#c\n'],
    ['an explicit key', '? name\n: a\n'],
    ['an explicit tag', 'name: !!str a\n'],
    ['an explicit tag on the line before its value', 'name: a\nb:\n  - !!str\n    123\n'],
    ['a directive', '%YAML 1.2\n---\nname: a\n'],
    ['an empty sequence entry', 'name: a\nb:\n  -\n  - 1\n'],
    ['a flow mapping entry without a value', 'name: a\nb: {c}\n'],
    ['a pair in a flow sequence', 'name: a\nb: [c: 1]\n'],
    ['an empty block scalar', 'name: |\n\nb: 1\n'],
    ['a byte-order mark', '\ufeffname: a\n'],
    ['a syntax error', 'name: [a\n'],
  ];
  for (const [what, text] of leftToYaml) {
    it(`leaves ${what} to yaml, with yaml's result`, () => {
      assert.equal(parseYamlFast(text), undefined);
      assert.equal(compare(text, path.join(REPO_ROOT, 'inline.yaml')).difference, undefined);
    });
  }

  // Each row: a construct the fast path builds itself, with yaml's positions and values.
  const mirrored: Array<[string, string]> = [
    ['anchors, aliases and merge keys', 'name: a\nsources:\n  s: &src {topic: t, value: {format: json}}\n  u:\n    <<: *src\n    topic: u\n'],
    ['block scalars: clip, strip and keep', 'name: a\nb: |\n  x\n\n\nc: >-\n  y\n  z\nd: |+\n  w\n\ne: 1\n'],
    ['core-schema plain values', 'name: a\nb: [0x1F, 0o17, 1.50, .inf, ~, Null, yes, 2001-12-14, 1_000, +1, -.5e3, TRUE, 08]\n'],
    ['empty values and a closing bracket at the key\'s column', 'name:   # c\nb:\nc: {x: }\nd: [\n  1, 2\n]\n'],
    ['quoted keys, escapes and CRLF line ends', '"name": a\r\n\'b\': "\\u00e9\\t\\x41 x\r\n  y"\r\n'],
    ['${VAR} values', 'name: ${APP:-app}\nprocessing:\n  commitInterval: ${C:-250ms}\n'],
  ];
  for (const [what, text] of mirrored) {
    it(`builds ${what} as yaml does`, () => {
      assert.notEqual(parseYamlFast(text), undefined);
      assert.equal(compare(text, path.join(REPO_ROOT, 'inline.yaml')).difference, undefined);
    });
  }

  it('keeps aliases as alias nodes, so the alias bomb is refused at the same position without expanding', () => {
    const file = path.join(REPO_ROOT, 'test', 'fixtures', 'topologies', 'invalid', '53-yaml-alias-bomb.yaml');
    const text = readFileSync(file, 'utf8');
    assert.notEqual(parseYamlFast(text), undefined);
    const { fast, difference } = compare(text, file);
    assert.equal(difference, undefined);
    assert.equal(fast.problems[0]?.kind, 'limit');
  });
});
