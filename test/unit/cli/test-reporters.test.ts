/**
 * `tributary test`: the plan and summary, and the TAP 14 and JUnit XML reports, read
 * back by real parsers (tap-parser, the TAP reference parser of node-tap; fast-xml-parser).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Parser } from 'tap-parser';
import { cliInProcess, repoRoot } from '../../helpers/cli-run';

const passing = path.join(repoRoot, 'examples', 'branching.yaml');
const invalid = path.join(repoRoot, 'test/fixtures/topologies/invalid/13-cycle.yaml');

interface JunitCase { '@_name': string; '@_file': string; '@_line'?: string; failure?: { '@_message': string; '#text': string }; error?: { '@_type': string; '#text': string } }
interface JunitSuite { '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; testcase: JunitCase[] }

describe('tributary test reporters', function () {
  this.timeout(60_000);
  let dir: string;
  let failing: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-test-reporters-'));
    // A wrong expectation, and a test name with the characters TAP and XML must escape.
    failing = path.join(dir, 'wrong <&> #1.yaml');
    fs.writeFileSync(failing, fs.readFileSync(passing, 'utf8').replace('kind: hide', 'kind: hidden').replace('routes each action to its branch', `'routes "each" action <&> # not a directive'`));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('spec: prints the plan first and a summary last', async () => {
    const r = await cliInProcess(['test', passing, failing, invalid]);
    assert.equal(r.code, 1);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'plan: 2 tests in 3 files (1 file cannot run)');
    assert.match(lines.at(-1)!, /^summary: 2 tests in 3 files: 1 passed, 1 failed, 1 file could not run \(\d+\.\d\d s\)$/);
    assert.ok(lines.some((l) => /^not ok - .*13-cycle\.yaml: invalid topology$/.test(l)), r.out);
    assert.ok(lines.includes(`    ${invalid}:8:20 cycle pipelines form a cycle: a -> b -> a`), r.out);
  });

  it('tap: TAP 14 that tap-parser reads back: plan, points, names, diagnostics', async () => {
    const r = await cliInProcess(['test', '--reporter', 'tap', passing, failing, invalid]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^TAP version 14\n1\.\.3\n/);
    const events = Parser.parse(r.out) as Array<[string, any]>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const asserts = events.filter(([kind]) => kind === 'assert').map(([, a]) => a as { ok: boolean; id: number; name: string; diag: { file?: string; line?: number; messages?: string[] } | null });
    const complete = events.find(([kind]) => kind === 'complete')![1] as { ok: boolean; count: number; pass: number; fail: number; plan: { start: number; end: number } };
    assert.deepEqual([complete.ok, complete.count, complete.pass, complete.fail, complete.plan.end], [false, 3, 1, 2, 3]);
    assert.deepEqual(asserts.map((a) => [a.id, a.ok]), [[1, true], [2, false], [3, false]]);
    assert.match(asserts[1]!.name, /wrong <&> #1\.yaml:\d+ routes "each" action <&> # not a directive$/, 'the # is escaped, not a directive');
    assert.equal(asserts[1]!.diag!.file, failing);
    assert.match(asserts[1]!.diag!.messages![0]!, /^signal-out\[1\]\.value: expected/);
    assert.deepEqual(asserts[2]!.diag, { file: invalid, messages: [`${invalid}:8:20 cycle pipelines form a cycle: a -> b -> a`] });
    assert.ok(!events.some(([kind]) => kind === 'extra'), 'every line is TAP');
  });

  it('junit: well-formed XML with a suite per file, a failure per failed test and an error per file that cannot run', async () => {
    const out = path.join(dir, 'reports', 'junit.xml');
    fs.mkdirSync(path.dirname(out));
    const r = await cliInProcess(['test', '--reporter', 'junit', '--output', out, passing, failing, invalid]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^plan: 2 tests in 3 files/, 'with --output, the console keeps the spec report');
    const xml = fs.readFileSync(out, 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as { testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; testsuite: JunitSuite[] } };
    const root = doc.testsuites;
    assert.deepEqual([root['@_tests'], root['@_failures'], root['@_errors']], ['3', '1', '1']);
    assert.deepEqual(root.testsuite.map((s) => [s['@_name'], s['@_tests'], s['@_failures'], s['@_errors']]), [
      [passing, '1', '0', '0'], [failing, '1', '1', '0'], [invalid, '1', '0', '1'],
    ]);
    const failed = root.testsuite[1]!.testcase[0]!;
    assert.equal(failed['@_name'], 'routes "each" action <&> # not a directive', 'attributes escaped and read back as written');
    assert.match(failed.failure!['#text'], /signal-out\[1\]\.value: expected/);
    assert.equal(root.testsuite[2]!.testcase[0]!.error!['@_type'], 'invalid');
    assert.match(root.testsuite[2]!.testcase[0]!.error!['#text'], /13-cycle\.yaml:8:20 cycle/);
  });
});
