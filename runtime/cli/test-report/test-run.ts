import type { LintProblem } from '../../../topology/lint-problem';

/** One `tests:` block's outcome, as the reporters see it. */
export interface TestCaseOutcome {
  readonly name: string;
  /** Line of the test in its topology file. */
  readonly line: number;
  readonly passed: boolean;
  /** What differed, one line each (empty when passed). */
  readonly messages: readonly string[];
  readonly durationMs: number;
}

/**
 * One topology file of a `tributary test` run: its tests, or why none could run
 * (`problems` when the file is invalid, `unreadable` when it could not be read).
 */
export interface TestFileOutcome {
  readonly file: string;
  readonly tests: readonly TestCaseOutcome[];
  readonly problems?: readonly LintProblem[];
  readonly unreadable?: string;
}

/** What a run will do, known before the first test runs (TAP's plan needs the count). */
export interface TestPlan {
  readonly files: number;
  /** Tests that will run: every `tests:` block of the valid files. */
  readonly tests: number;
  /** Files that cannot run (invalid or unreadable): each is reported as one failing point. */
  readonly brokenFiles: number;
}

/** The totals printed at the end. */
export interface TestSummary {
  readonly files: number;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly brokenFiles: number;
  readonly durationMs: number;
}

/** Receives a run as it happens: the plan, each file when its tests are done, the summary. */
export interface TestReporter {
  plan(plan: TestPlan): void;
  file(outcome: TestFileOutcome): void;
  end(summary: TestSummary): void;
}

/** The reporters `--reporter` names. */
export const reporterNames = ['spec', 'tap', 'junit'] as const;
export type ReporterName = (typeof reporterNames)[number];

/** Totals of a run's file outcomes. */
export function summarize(outcomes: readonly TestFileOutcome[], durationMs: number): TestSummary {
  const tests = outcomes.flatMap((o) => o.tests);
  const passed = tests.filter((t) => t.passed).length;
  return {
    files: outcomes.length,
    tests: tests.length,
    passed,
    failed: tests.length - passed,
    brokenFiles: outcomes.filter((o) => o.problems || o.unreadable !== undefined).length,
    durationMs,
  };
}

/** Why a file could not run, one line each: its positioned problems, or the read error. */
export function brokenFileMessages(outcome: TestFileOutcome): string[] {
  if (outcome.unreadable !== undefined) return [outcome.unreadable];
  return (outcome.problems ?? []).map((p) => `${p.file}:${p.line}:${p.col} ${p.kind} ${p.message}`);
}
