/** A cell of a printed table. */
export type Cell = string | number | boolean | null | undefined;

function show(c: Cell): string {
  if (c === null || c === undefined) return '-';
  if (typeof c === 'number') return Number.isInteger(c) ? c.toLocaleString('en-US') : c.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return String(c);
}

/**
 * Formats rows as a Markdown table (readable in a terminal and pasteable in the README);
 * columns are the given ones in order, numbers right-aligned.
 */
export function formatResultsTable(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  const cells = rows.map((r) => columns.map((c) => show(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === null || r[c] === undefined));
  const line = (vals: string[]): string => `| ${vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line([...columns]), rule, ...cells.map(line)].join('\n');
}
