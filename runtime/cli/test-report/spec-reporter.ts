import type { TestFileOutcome, TestPlan, TestReporter, TestSummary } from './test-run';
import { brokenFileMessages } from './test-run';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The human-readable report of `tributary test`: the plan, one `ok` / `not ok` line per
 * test with what differed under it, and a summary line.
 */
export function specReporter(write: (text: string) => void): TestReporter {
  return {
    plan(plan: TestPlan) {
      write(`plan: ${plural(plan.tests, 'test')} in ${plural(plan.files, 'file')}${plan.brokenFiles > 0 ? ` (${plural(plan.brokenFiles, 'file')} cannot run)` : ''}\n`);
    },
    file(outcome: TestFileOutcome) {
      if (outcome.problems || outcome.unreadable !== undefined) {
        write(`not ok - ${outcome.file}: ${outcome.unreadable !== undefined ? 'cannot be read' : 'invalid topology'}\n`);
        for (const m of brokenFileMessages(outcome)) write(`    ${m}\n`);
        return;
      }
      if (outcome.tests.length === 0) write(`${outcome.file}: no tests\n`);
      for (const t of outcome.tests) {
        write(`${t.passed ? 'ok' : 'not ok'} - ${outcome.file}:${t.line} ${t.name}\n`);
        for (const m of t.messages) write(`    ${m}\n`);
      }
    },
    end(s: TestSummary) {
      const broken = s.brokenFiles > 0 ? `, ${plural(s.brokenFiles, 'file')} could not run` : '';
      write(`summary: ${plural(s.tests, 'test')} in ${plural(s.files, 'file')}: ${s.passed} passed, ${s.failed} failed${broken} (${(s.durationMs / 1000).toFixed(2)} s)\n`);
    },
  };
}
