import type { TestFileOutcome, TestReporter, TestSummary } from './test-run';
import { brokenFileMessages } from './test-run';

/** Characters XML 1.0 cannot hold at all, even escaped: dropped. */
const notXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text for an XML attribute or element. */
export function xmlText(text: string): string {
  return text.replace(notXml, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * `tributary test --reporter junit`: JUnit XML as CI servers read it (Jenkins, GitLab,
 * GitHub actions' test reporters) — one `<testsuite>` per topology file, one
 * `<testcase>` per test (name, file, line, time) with a `<failure>` holding what
 * differed, and a file that cannot run as one `<testcase>` with an `<error>`. Written
 * whole at the end, since the totals go in the root element.
 */
export function junitReporter(write: (text: string) => void): TestReporter {
  const suites: string[] = [];
  let errors = 0;
  return {
    plan() {},
    file(outcome: TestFileOutcome) {
      const file = xmlText(outcome.file);
      if (outcome.problems || outcome.unreadable !== undefined) {
        errors++;
        const why = outcome.unreadable !== undefined ? 'cannot be read' : 'invalid topology';
        suites.push(`  <testsuite name="${file}" tests="1" failures="0" errors="1" skipped="0" time="0.000">\n` +
          `    <testcase name="${xmlText(why)}" classname="${file}" file="${file}" time="0.000">\n` +
          `      <error message="${xmlText(why)}" type="${outcome.unreadable !== undefined ? 'unreadable' : 'invalid'}">${xmlText(brokenFileMessages(outcome).join('\n'))}</error>\n` +
          '    </testcase>\n  </testsuite>\n');
        return;
      }
      const failures = outcome.tests.filter((t) => !t.passed).length;
      const time = outcome.tests.reduce((sum, t) => sum + t.durationMs, 0);
      const cases = outcome.tests.map((t) => {
        const attributes = `name="${xmlText(t.name)}" classname="${file}" file="${file}" line="${t.line}" time="${seconds(t.durationMs)}"`;
        if (t.passed) return `    <testcase ${attributes}/>\n`;
        return `    <testcase ${attributes}>\n      <failure message="${xmlText(t.messages[0] ?? 'failed')}" type="expectation">${xmlText(t.messages.join('\n'))}</failure>\n    </testcase>\n`;
      });
      suites.push(`  <testsuite name="${file}" tests="${outcome.tests.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(time)}">\n${cases.join('')}  </testsuite>\n`);
    },
    end(s: TestSummary) {
      write('<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<testsuites name="tributary test" tests="${s.tests + errors}" failures="${s.failed}" errors="${errors}" time="${seconds(s.durationMs)}">\n` +
        `${suites.join('')}</testsuites>\n`);
    },
  };
}
