import type { Cell } from './results-table';
import type { ResultsSection } from './results-file';

/** bench/results.json as written by {@link writeResultsSection}. */
export interface ResultsDocument {
  readonly updatedAt?: string;
  readonly sections: Readonly<Record<string, ResultsSection>>;
}

/** One line of the combined table: a figure, its same-run baseline and the ratio, and which section it came from. */
export interface SummaryRow {
  readonly [column: string]: Cell;
  readonly area: string;
  readonly figure: string;
  readonly value: Cell;
  readonly baseline: Cell;
  readonly ratio: Cell;
  readonly section: string;
}

/** The columns of the combined table, in order. */
export const SUMMARY_COLUMNS = ['area', 'figure', 'value', 'baseline', 'ratio', 'section'] as const;

type Row = ResultsSection['rows'][number];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ratioOf = (value: number | null, baseline: number | null): number | null =>
  value === null || baseline === null || baseline === 0 ? null : Math.round((value / baseline) * 100) / 100;

function kafkaStreamsRows(rows: readonly Row[], section: string): SummaryRow[] {
  const out: SummaryRow[] = [];
  const wall = 'records/s (wall)';
  const isPeer = (r: Row) => String(r.system).startsWith('kafka-streams');
  // One Tributary row per guarantee and variant: 'tributary (custom operator)', 'tributary (built-in aggregate)'; plain 'tributary' in older results.
  const variantOf = (r: Row): string | undefined => /^tributary \((.+)\)$/.exec(String(r.system))?.[1];
  const isOurs = (r: Row) => r.system === 'tributary' || variantOf(r) !== undefined;
  for (const guarantee of [...new Set(rows.map((r) => String(r.guarantee)))]) {
    const peer = rows.find((r) => isPeer(r) && r.guarantee === guarantee);
    for (const ours of rows.filter((r) => isOurs(r) && r.guarantee === guarantee)) {
      const ok = ours['output ok'] === true && (!peer || peer['output ok'] === true);
      const variant = variantOf(ours);
      out.push({
        area: 'vs Kafka Streams', figure: `count+sum per key${variant ? ` (${variant})` : ''}, ${guarantee}, records/s wall (baseline: ${peer ? String(peer.system) : 'no peer row'})${ok ? '' : ', OUTPUT CHECK FAILED'}`,
        value: num(ours[wall]), baseline: peer ? num(peer[wall]) : null, ratio: ok ? ratioOf(num(ours[wall]), peer ? num(peer[wall]) : null) : null, section,
      });
    }
  }
  const scaled = rows.find((r) => String(r.system).startsWith('tributary ×2'));
  // The 2-process row runs the custom operator.
  const single = rows.find((r) => (r.system === 'tributary' || variantOf(r) === 'custom operator') && r.guarantee === scaled?.guarantee);
  if (scaled) {
    out.push({
      area: 'scale', figure: `2 processes vs 1, ${String(scaled.guarantee)}, records/s wall${scaled['output ok'] === true ? '' : ', OUTPUT CHECK FAILED'}`,
      value: num(scaled[wall]), baseline: single ? num(single[wall]) : null, ratio: scaled['output ok'] === true ? ratioOf(num(scaled[wall]), single ? num(single[wall]) : null) : null, section,
    });
  }
  return out;
}

function latencyRows(rows: readonly Row[], section: string): SummaryRow[] {
  const out: SummaryRow[] = [];
  const limitKey = rows[0] ? Object.keys(rows[0]).find((k) => k.startsWith('net p99 <')) : undefined;
  for (const r of rows) {
    const ms = (k: string) => (num(r[k]) === null ? '-' : String(num(r[k])));
    const count = (k: string) => num(r[k])?.toLocaleString('en-US') ?? '?';
    out.push({
      area: 'flagship latency',
      figure: `${count('rate/s')} events/s offered (${count('achieved/s')}/s sent, kept up: ${r['kept up'] === true ? 'yes' : 'no'}, ${count('updates')} updates): p50 / p99 / max ms, net-of-settle p99`,
      value: `${ms('p50 ms')} / ${ms('p99 ms')} / ${ms('max ms')}; net ${ms('net p99 ms')}`, baseline: null, ratio: null, section,
    });
  }
  if (limitKey && rows.length > 0) {
    const passed = rows.filter((r) => r[limitKey] === true).map((r) => num(r['rate/s'])).filter((x): x is number => x !== null);
    out.push({
      area: 'flagship latency', figure: `highest rate kept up with ${limitKey.replace('net ', 'net-of-settle ')} ms, among ${rows.map((r) => num(r['rate/s'])?.toLocaleString('en-US') ?? '?').join(', ')} events/s`,
      value: passed.length ? Math.max(...passed) : 'none', baseline: null, ratio: null, section,
    });
  }
  return out;
}

function genericRows(area: string, rows: readonly Row[], section: string): SummaryRow[] {
  return rows.map((r) => ({
    area, figure: r['baseline is'] ? `${String(r.figure)} (baseline: ${String(r['baseline is'])})` : String(r.figure),
    value: r.value ?? null, baseline: r.baseline ?? null, ratio: r.ratio ?? null, section,
  }));
}

function restoreRows(rows: readonly Row[], section: string): SummaryRow[] {
  return rows.map((r) => ({
    area: 'restore', figure: `changelog restore into RocksDB, ${num(r.keys)?.toLocaleString('en-US') ?? '?'} keys, records/s (baseline: kafkajs read only)`,
    value: num(r['restore records/s']), baseline: num(r['kafkajs read-only records/s']), ratio: num(r.ratio), section,
  }));
}

function overheadRows(rows: readonly Row[], section: string): SummaryRow[] {
  return rows.map((r) => ({
    area: 'runtime overhead', figure: 'consume → Avro decode → map → encode → produce, records/s (baseline: hand-written kafkajs loop)',
    value: num(r.tributaryRecordsPerSec), baseline: num(r.baselineRecordsPerSec), ratio: num(r.ratio), section,
  }));
}

/** Sections the combined table knows, in the order it shows them. */
const KNOWN: ReadonlyArray<readonly [string, (rows: readonly Row[], section: string) => SummaryRow[]]> = [
  ['kafka-streams-vs-tributary', kafkaStreamsRows],
  ['runtime-overhead', overheadRows],
  ['flagship-latency', latencyRows],
  ['scoring', (rows, s) => genericRows('scoring', rows, s)],
  ['state-restore', restoreRows],
];

/**
 * The combined benchmark table from bench/results.json: every section this function knows
 * (Kafka Streams comparison and scale, runtime overhead, flagship latency, scoring, restore)
 * turned into rows of figure / value / same-run baseline / ratio, in a fixed order; a section
 * that is missing gives no rows, one it does not know is left out.
 */
export function summarizeResults(doc: ResultsDocument): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const [name, toRows] of KNOWN) {
    const section = doc.sections[name];
    if (section) out.push(...toRows(section.rows, name));
  }
  return out;
}

/** One line per section shown: when, on what load and commit, and with which command it was measured. */
export function describeSections(doc: ResultsDocument): string[] {
  return KNOWN.filter(([name]) => doc.sections[name]).map(([name]) => {
    const m = doc.sections[name]!.machine;
    return `${name}: ${m.at}, load ${m.loadAverage} on ${m.cores} cores, commit ${m.gitCommit}: ${m.command}`;
  });
}
