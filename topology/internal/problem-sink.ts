import { isNode, isPair, LineCounter, type Node, type Pair } from 'yaml';
import type { LintKind, LintProblem } from '../lint-problem';

/** Anything a problem can point at: a YAML node, a pair (its key), or a raw offset. */
export type Where = Node | Pair | number | null | undefined;

/** Collects problems for one file and turns YAML nodes into 1-based line:col. */
export class ProblemSink {
  readonly problems: LintProblem[] = [];

  /** `text`: the file's text, for positions inside multi-line scalars (see expression-report.ts). */
  constructor(readonly file: string, private readonly lines: LineCounter, readonly text?: string) {}

  /** Offset of a node's first character, or 0 (the file start) when there is none. */
  offsetOf(where: Where): number {
    if (typeof where === 'number') return where;
    if (isPair(where)) return this.offsetOf(where.key as Node);
    if (isNode(where) && where.range) return where.range[0];
    return 0;
  }

  position(where: Where, extra = 0): { line: number; col: number } {
    const { line, col } = this.lines.linePos(this.offsetOf(where) + extra);
    return { line, col };
  }

  private suppressed: ReadonlyArray<readonly [number, number]> = [];

  /** Drops problems found later at offsets inside these ranges (values that hold an unset `${VAR}`). */
  suppressWithin(ranges: ReadonlyArray<readonly [number, number]>): void {
    this.suppressed = ranges;
  }

  report(where: Where, kind: LintKind, message: string, extra = 0): void {
    const at = this.offsetOf(where) + extra;
    if (this.suppressed.some(([start, end]) => at >= start && at < end)) return;
    this.problems.push({ file: this.file, ...this.position(where, extra), kind, message });
  }
}
