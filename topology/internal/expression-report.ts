import { isScalar, type Node } from 'yaml';
import type { ProblemSink } from './problem-sink';

/** Reports a CEL problem at its character inside the YAML scalar when the scalar is on one line. */
export function reportExpression(sink: ProblemSink, node: Node | undefined, offset: number, message: string): void {
  let extra = 0;
  if (isScalar(node) && node.range && typeof node.value === 'string') {
    const width = node.range[1] - node.range[0];
    if (node.type === 'PLAIN' && width === node.value.length) extra = offset;
    else if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && width === node.value.length + 2) extra = offset + 1;
  }
  sink.report(node, 'expression', message, extra);
}
