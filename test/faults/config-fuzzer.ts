import { readFileSync } from 'node:fs';
import { lintKinds, type LintProblem } from '../../topology/lint-problem';
import { loadTopologyText } from '../../topology/topology-loader';
import { mutateTopologyText } from './config-mutator';
import type { MutantRun } from './mutant-runner';

/** The validator under test: `loadTopologyText` unless a unit test passes a stand-in. */
export type TopologyTextLoader = (text: string, file: string, options: { env: NodeJS.ProcessEnv }) => { topology?: unknown; problems: LintProblem[] };

/** A topology file the fuzzer starts from. */
export interface FuzzSeed {
  readonly path: string;
  readonly text: string;
}

/** Runs a mutant the loader accepted (the test driver, in config-fuzz.ts); absent: accepted mutants are not run. */
export type AcceptedMutantRunner = (topology: unknown, caseSeed: number) => Promise<MutantRun>;

/** One mutant that broke a rule: an exception escaped, a problem had no usable position, or an accepted mutant failed to run. */
export interface FuzzFailure {
  readonly seedPath: string;
  readonly caseSeed: number;
  readonly mutations: readonly string[];
  readonly reason: string;
  readonly text: string;
}

/** What a fuzz run found. */
export interface FuzzSummary {
  readonly cases: number;
  readonly valid: number;
  readonly invalid: number;
  readonly problems: number;
  readonly byKind: Record<string, number>;
  readonly failures: FuzzFailure[];
  /** Accepted mutants run through the test driver, those not run (and why), and their records the steps failed for data reasons. */
  readonly ran: number;
  readonly skipped: Record<string, number>;
  readonly recordFailures: number;
  readonly elapsedMs: number;
}

/** Reads seed files. */
export function readSeeds(paths: readonly string[]): FuzzSeed[] {
  return paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

/** Why a problem is not properly positioned, or null when it is. */
export function problemDefect(p: LintProblem, text: string, file: string): string | null {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  if (!Number.isInteger(p.line) || p.line < 1 || p.line > lineCount + 1) return `line ${p.line} outside 1..${lineCount + 1}`;
  if (!Number.isInteger(p.col) || p.col < 1) return `column ${p.col} is not a positive integer`;
  if (!(lintKinds as readonly string[]).includes(p.kind)) return `kind '${p.kind}' is not one of the lint kinds`;
  if (typeof p.message !== 'string' || p.message.trim() === '') return 'empty message';
  if (p.file !== file) return `file '${p.file}' is not the file loaded ('${file}')`;
  return null;
}

/**
 * Runs `cases` mutants (seeds taken in turn, case seed = `seed + i`) through the topology
 * loader (`loadTopologyText`, what `tributary validate` runs), with an empty environment so
 * `${VAR}` defaults are exercised, and each mutant it accepts through `run` (the test driver).
 * A failure is an exception escaping the loader, a problem without file, a line inside the
 * file, a column, a known kind and a message, or an accepted mutant that fails to run for a
 * configuration reason.
 */
export async function fuzzTopologies(
  seeds: readonly FuzzSeed[], cases: number, seed: number, load: TopologyTextLoader = loadTopologyText, run?: AcceptedMutantRunner,
): Promise<FuzzSummary> {
  if (seeds.length === 0) throw new Error('the config fuzzer needs at least one seed topology');
  const started = Date.now();
  const donors = seeds.map((s) => s.text);
  const byKind: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let valid = 0;
  let invalid = 0;
  let problems = 0;
  let ran = 0;
  let recordFailures = 0;
  const skipped: Record<string, number> = {};
  for (let i = 0; i < cases; i++) {
    const base = seeds[i % seeds.length]!;
    const caseSeed = seed + i;
    const mutant = mutateTopologyText(base.text, caseSeed, donors);
    const fail = (reason: string): void => {
      failures.push({ seedPath: base.path, caseSeed, mutations: mutant.applied, reason, text: mutant.text });
    };
    let result;
    try {
      result = load(mutant.text, base.path, { env: {} });
    } catch (err) {
      fail(`exception escaped: ${(err as Error)?.stack ?? String(err)}`);
      continue;
    }
    if (result.problems.length === 0) {
      if (!result.topology) fail('no problems and no topology');
      valid++;
      if (result.topology && run) {
        const outcome = await run(result.topology, caseSeed);
        if (outcome.outcome === 'failed') fail(`accepted, then: ${outcome.reason}`);
        else if (outcome.outcome === 'skipped') skipped[outcome.why] = (skipped[outcome.why] ?? 0) + 1;
        else { ran++; recordFailures += outcome.recordFailures; }
      }
      continue;
    }
    invalid++;
    for (const p of result.problems) {
      problems++;
      byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
      const defect = problemDefect(p, mutant.text, base.path);
      if (defect) fail(`problem not positioned: ${defect}: ${JSON.stringify(p)}`);
    }
  }
  return { cases, valid, invalid, problems, byKind, failures, ran, skipped, recordFailures, elapsedMs: Date.now() - started };
}
