/**
 * The fixed set of problem kinds that `tributary validate` reports. Tools and
 * tests match on these, so a new kind is a deliberate, visible change.
 */
export const lintKinds = [
  'syntax',            // YAML that does not parse
  'unknown-key',       // a key the spec does not declare
  'missing-key',       // a required key is absent
  'wrong-type',        // a value of the wrong kind (string for a number, ...)
  'unknown-operator',  // a step names no built-in operator and no loadable module
  'unknown-reference', // a source, store, sink or pipeline that is not declared
  'duplicate',         // two names or ids that must be unique
  'cycle',             // pipelines that feed each other
  'expression',        // a CEL expression that does not parse or uses unknown names
  'schema',            // a schema file (Avro, Protobuf, JSON Schema) that is missing or invalid
  'option',            // an option value the operator rejects (oneOf, duration, check)
  'env',               // `${VAR}` with no value and no default
  'module',            // a custom operator module that cannot be loaded or lacks a spec
  'limit',             // a file past a resource limit (alias expansion, size, nesting depth, chain of steps): exit code 4
] as const;

/** One of {@link lintKinds}. */
export type LintKind = (typeof lintKinds)[number];

/** One problem in a topology file, positioned at the offending node (1-based line and column). */
export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly kind: LintKind;
  readonly message: string;
}

/** The one-line form every tool prints: `FILE:LINE:COL kind message`. */
export function formatProblem(problem: LintProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.kind} ${problem.message}`;
}

/** Orders problems by file, then position, so output is stable. */
export function sortProblems(problems: readonly LintProblem[]): LintProblem[] {
  return [...problems].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1);
}
