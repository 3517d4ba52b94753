import { isScalar, type Node, type Scalar } from 'yaml';
import type { ProblemSink } from './problem-sink';

/**
 * Reports a CEL problem at its character inside the YAML scalar: on one
 * line, and inside multi-line scalars too (`|`, `>-`, folded plain and quoted
 * scalars), by following how YAML made the value from the text. Where the
 * value is not the text's (a `${VAR}` was interpolated), the scalar's start.
 */
export function reportExpression(sink: ProblemSink, node: Node | undefined, offset: number, message: string): void {
  const at = isScalar(node) && sink.text !== undefined ? scalarSourceOffset(sink.text, node, offset) : undefined;
  if (at !== undefined) {
    sink.report(at, 'expression', message);
    return;
  }
  let extra = 0;
  if (isScalar(node) && node.range && typeof node.value === 'string') {
    const width = node.range[1] - node.range[0];
    if (node.type === 'PLAIN' && width === node.value.length) extra = offset;
    else if ((node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && width === node.value.length + 2) extra = offset + 1;
  }
  sink.report(node, 'expression', message, extra);
}

/**
 * The offset in the file's text of the character at `offset` of a string
 * scalar's value, or undefined when the value cannot be lined up with the
 * text. Walks value and text together: indentation, folded line breaks,
 * escapes and doubled quotes are text that makes fewer (or other) value
 * characters.
 */
export function scalarSourceOffset(text: string, node: Scalar, offset: number): number | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const value = node.value;
  const [start, end] = node.range;
  const style = node.type;
  const block = style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED';
  let j = start;
  let stop = end;
  let indent = 0;
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') { j = start + 1; stop = end - 1; }
  if (block) {
    const header = text.indexOf('\n', start);
    if (header < 0 || header >= end) return undefined;
    j = header + 1;
    const firstLine = /^( *)\S/m.exec(text.slice(j, end));
    indent = firstLine ? firstLine[1].length : 0;
  }
  let lineStart = block;
  let last = j;
  const target = Math.min(Math.max(0, offset), value.length);
  for (let i = 0; i < target + 1 && i <= value.length; i++) {
    if (i === value.length) return i === target ? last : undefined;
    const c = value[i];
    let matched: number | undefined;
    while (matched === undefined) {
      if (j >= stop) return undefined;
      if (lineStart) {
        let k = 0;
        while (k < indent && text[j + k] === ' ') k++;
        j += k;
        lineStart = false;
        continue;
      }
      const s = text[j];
      if (s === '\r') { j++; continue; }
      if (s === '\n') {
        lineStart = block;
        if (c === '\n' || c === ' ') matched = j;
        j++;
        continue;
      }
      if (style === 'QUOTE_DOUBLE' && s === '\\') {
        if (text[j + 1] === '\n' || text[j + 1] === '\r') { j += 2; continue; }
        matched = j;
        j += escapeLength(text[j + 1]);
        continue;
      }
      if (style === 'QUOTE_SINGLE' && s === "'" && text[j + 1] === "'") { matched = j; j += 2; continue; }
      if (s === c) { matched = j; j++; continue; }
      if (s === ' ' || s === '\t') { j++; continue; }
      return undefined;
    }
    if (i === target) return matched;
    last = j;
  }
  return undefined;
}

function escapeLength(letter: string | undefined): number {
  switch (letter) {
    case 'x': return 4;
    case 'u': return 6;
    case 'U': return 10;
    default: return 2;
  }
}
