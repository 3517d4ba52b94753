import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import { loadTopologyText } from '../../../topology';
import { scalarSourceOffset } from '../../../topology/internal/expression-report';

/** A one-filter topology whose expression is written as `scalar` (already indented for the `expression:` key). */
function topology(scalar: string): string {
  return [
    'name: positions',
    'sources:',
    '  events: { topic: events, value: json }',
    'pipelines:',
    '  main:',
    '    from: events',
    '    steps:',
    '      - id: keep',
    '        filter:',
    `          expression: ${scalar}`,
    '    to: out',
    'sinks:',
    '  out: { topic: out, value: json }',
  ].join('\n');
}

function problemsOf(scalar: string): string[] {
  return loadTopologyText(topology(scalar), path.resolve('inline.yaml')).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
}

describe('expression problems inside multi-line YAML scalars', () => {
  // Line 10 holds `expression:`; the error is on a later line of the scalar.
  const rows: Array<[style: string, scalar: string, at: string, says: string]> = [
    ['folded >-', '>-\n            value.a == "x" &&\n              value.text.splt(" ")', '12:25', "unknown function 'splt'"],
    ['literal |', '|\n            value.a == "x" &&\n            value.b.splt(" ") == []', '12:20', "unknown function 'splt'"],
    ['plain', 'value.a == "x"\n            && value.text.splt(" ")\n            == []', '11:26', "unknown function 'splt'"],
    ['double-quoted', '"value.a == \\"x\\"\n            && value.b.splt(\\" \\")"', '11:23', "unknown function 'splt'"],
    ['single-quoted', "'value.a == ''x''\n            && value.b.splt(\" \")'", '11:23', "unknown function 'splt'"],
    ['folded, missing )', '>-\n            value.a == "x" &&\n            size(value.b > 3', '12:17', "'(' is never closed: a ')' is missing"],
    ['literal, unknown name', '|\n            value.a == "x"\n              && other', '12:18', "unknown name 'other'"],
  ];
  for (const [style, scalar, at, says] of rows) {
    it(`reports at the line and column of the error in a ${style} scalar`, () => {
      const found = problemsOf(scalar);
      assert.equal(found.length, 1, found.join('\n'));
      assert.ok(found[0].startsWith(`${at} `) && found[0].includes(says), found[0]);
    });
  }

  it('lines every character of the value up with the text that made it', () => {
    const docs = [
      'e: >-\n  a.b &&\n    c.d(\'x\')\n\n  || e\n',
      'e: |\n  f(\n   g, "h"\n  )\n',
      'e: plain   text\n  next  line\n\n  after blank\n',
      'e: "dq \\"x\\" \\u00e9\n  more \\\n  joined"\n',
      "e: 'it''s\n  folded'\n",
      'e: >+ # comment\n    indented\n    more\n',
    ];
    for (const text of docs) {
      const doc = parseDocument(text);
      const node = isMap(doc.contents) ? doc.contents.items[0].value as Scalar : undefined;
      assert.ok(isScalar(node) && typeof node.value === 'string');
      const value = node.value as string;
      for (let i = 0; i < value.length; i++) {
        const at = scalarSourceOffset(text, node, i);
        assert.notEqual(at, undefined, `${JSON.stringify(text)} offset ${i}`);
        const c = value[i];
        if (c === ' ' || c === '\n' || text[at!] === '\\' || text[at!] === "'") continue;
        assert.equal(text[at!], c, `${JSON.stringify(text)} offset ${i} ('${c}') maps to ${at} ('${text[at!]}')`);
      }
    }
  });

  it('falls back to the scalar when an interpolated value no longer matches the text', () => {
    const text = topology('>-\n            value.a == "${PREFIX}" &&\n              value.text.splt(" ")');
    const { problems } = loadTopologyText(text, path.resolve('inline.yaml'), { env: { PREFIX: 'a-much-longer-prefix' } });
    assert.deepEqual(problems.map((p) => [p.line, p.col]), [[10, 23]]);
  });
});
