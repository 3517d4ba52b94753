import { stringify } from 'yaml';
import type { TestFileOutcome, TestPlan, TestReporter, TestSummary } from './test-run';
import { brokenFileMessages } from './test-run';

/** A TAP description is one line, and `#` would start a directive (TAP 14: escape it). */
const description = (text: string): string => text.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');

/** A YAML diagnostic block under a test point, indented two spaces (TAP 14). */
const diagnostics = (fields: Record<string, unknown>): string =>
  `  ---\n${stringify(fields, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}\n  ...\n`;

/**
 * `tributary test --reporter tap`: Test Anything Protocol version 14 — the plan first
 * (every test of the valid files plus one point per file that cannot run), one test
 * point per test with a YAML diagnostic block (file, line, what differed) under a
 * failure, the summary as comments.
 */
export function tapReporter(write: (text: string) => void): TestReporter {
  let point = 0;
  return {
    plan(plan: TestPlan) {
      write(`TAP version 14\n1..${plan.tests + plan.brokenFiles}\n`);
    },
    file(outcome: TestFileOutcome) {
      if (outcome.problems || outcome.unreadable !== undefined) {
        point++;
        write(`not ok ${point} - ${description(`${outcome.file}: ${outcome.unreadable !== undefined ? 'cannot be read' : 'invalid topology'}`)}\n`);
        write(diagnostics({ file: outcome.file, messages: brokenFileMessages(outcome) }));
        return;
      }
      if (outcome.tests.length === 0) write(`# ${outcome.file}: no tests\n`);
      for (const t of outcome.tests) {
        point++;
        write(`${t.passed ? 'ok' : 'not ok'} ${point} - ${description(`${outcome.file}:${t.line} ${t.name}`)}\n`);
        if (!t.passed) write(diagnostics({ file: outcome.file, line: t.line, messages: [...t.messages] }));
      }
    },
    end(s: TestSummary) {
      write(`# tests ${s.tests}\n# pass ${s.passed}\n# fail ${s.failed}\n${s.brokenFiles > 0 ? `# files that could not run ${s.brokenFiles}\n` : ''}`);
    },
  };
}
