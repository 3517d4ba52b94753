/** A syntax problem at a character offset of an expression. */
export interface DelimiterProblem {
  readonly offset: number;
  readonly message: string;
}

const closerOf: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const openerOf: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * The first unbalanced bracket or unterminated string of a CEL text, said
 * plainly: the CEL parser reports a missing `)` as a token it did not expect
 * far from the cause (`found ( but expecting end of input`). Strings (with
 * escapes, raw and triple-quoted) and `//` comments are skipped.
 * Undefined when every bracket and string is closed.
 */
export function delimiterProblem(source: string): DelimiterProblem | undefined {
  const open: Array<{ char: string; offset: number }> = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      const eol = source.indexOf('\n', i);
      i = eol < 0 ? source.length : eol + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = stringEnd(source, i);
      if (end === undefined) return { offset: i, message: `the string that starts here is not closed: a ${c} is missing` };
      i = end;
      continue;
    }
    if (c in closerOf) open.push({ char: c, offset: i });
    else if (c in openerOf) {
      const top = open.pop();
      if (!top) return { offset: i, message: `'${c}' has no '${openerOf[c]}' to close` };
      if (top.char !== openerOf[c]) {
        return { offset: i, message: `found '${c}' where the '${top.char}' at column ${top.offset + 1} of the expression needs its '${closerOf[top.char]}' first` };
      }
    }
    i++;
  }
  const unclosed = open.pop();
  return unclosed ? { offset: unclosed.offset, message: `'${unclosed.char}' is never closed: a '${closerOf[unclosed.char]}' is missing` } : undefined;
}

/** The offset after a string literal that starts at `start` (a quote), or undefined when it does not end. */
function stringEnd(source: string, start: number): number | undefined {
  const quote = source[start];
  const raw = /(^|[^A-Za-z0-9_])[bB]?[rR][bB]?$/.test(source.slice(Math.max(0, start - 3), start));
  const triple = source.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  while (i < source.length) {
    if (!raw && source[i] === '\\') { i += 2; continue; }
    if (!triple && source[i] === '\n') return undefined;
    if (source.startsWith(close, i)) return i + close.length;
    i++;
  }
  return undefined;
}
