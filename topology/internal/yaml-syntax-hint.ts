/**
 * Why a YAML syntax error happened, where the parser's own message only says
 * what it found: a `${VAR}` placeholder written unquoted inside a flow
 * mapping or list (`{ topic: ${X} }`). In block style `topic: ${X}` is a
 * plain scalar, but inside `{ }` or `[ ]` the `{` and `}` are flow syntax, so
 * the parser sees `$` followed by a mapping and reports "Unexpected
 * flow-map-start", which does not say what to write instead.
 */

/** A placeholder the hint explains: its offset in the file and its text. */
export interface PlaceholderHint {
  readonly offset: number;
  readonly message: string;
}

const PLACEHOLDER = /\$\{[^\s{}[\],]*\}?/g;

/**
 * The unquoted `${...}` placeholder that a syntax error at `offset` stands
 * on or right after (same line), with a message that says why and what to
 * write instead; undefined when the error is about something else.
 */
export function placeholderInFlowHint(text: string, offset: number): PlaceholderHint | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', offset);
  const line = text.slice(lineStart, newline < 0 ? text.length : newline);
  for (const match of line.matchAll(PLACEHOLDER)) {
    const start = lineStart + match.index;
    const end = start + match[0].length;
    // The parser stops at the `{` after `$`, or at what follows the placeholder.
    if (offset < start || offset > end) continue;
    const before = text[start - 1];
    if (before === '"' || before === "'") continue;
    const quoted = `"${match[0]}"`;
    return {
      offset: start,
      message: `${match[0]} cannot be written unquoted inside a flow mapping or list ({ } or [ ]): there '{' and '}' are YAML syntax, not part of the value. Quote it (${quoted}) or write the mapping in block style, one key per line (key: ${match[0]})`,
    };
  }
  return undefined;
}
