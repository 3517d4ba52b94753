/**
 * The fault suite's verifier, in the spirit of Kafka's streams system tests: it knows what
 * every input should produce and says, at the end, exactly what is missing or duplicated.
 * Pure functions over identities (strings naming one expected output each); reading topics
 * is in output-verifier.ts.
 */

/** How strictly outputs are matched. */
export type DeliveryGuarantee = 'at_least_once' | 'exactly_once';

/** What the verifier compares. */
export interface DeliveryEvidence {
  readonly guarantee: DeliveryGuarantee;
  /** One identity per output a correct run produces (an identity may repeat when the same output is expected twice). */
  readonly expected: Iterable<string>;
  /** The identity of every output record read back. */
  readonly observed: Iterable<string>;
  /** Identities of the poison inputs that must land in the dead-letter topic. */
  readonly expectedDlq?: Iterable<string>;
  /** Identities of the records read from the dead-letter topic. */
  readonly observedDlq?: Iterable<string>;
}

/** The verdict, with a few examples of each problem. */
export interface DeliveryReport {
  readonly guarantee: DeliveryGuarantee;
  readonly expectedOut: number;
  readonly recordsOut: number;
  /** Expected outputs never seen (must be 0). */
  readonly missing: number;
  /** Outputs seen more often than expected (0 under exactly-once; allowed under at-least-once). */
  readonly duplicated: number;
  /** Outputs no input should have produced. */
  readonly unexpected: number;
  readonly dlqExpected: number;
  readonly dlqd: number;
  readonly dlqMissing: number;
  readonly dlqUnexpected: number;
  /** Dead letters seen more often than expected (fails only under exactly-once). */
  readonly dlqDuplicated: number;
  readonly examples: { readonly missing: string[]; readonly duplicated: string[]; readonly unexpected: string[]; readonly dlqMissing: string[]; readonly dlqDuplicated: string[] };
  /** Nothing missing (outputs and DLQ), nothing unexpected in the DLQ, and under exactly-once no duplicate or unexpected output. */
  readonly ok: boolean;
}

const EXAMPLES = 5;

function tally(ids: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

interface Diff {
  missing: number;
  extra: number;
  unexpected: number;
  missingEx: string[];
  extraEx: string[];
  unexpectedEx: string[];
}

function diff(expected: Map<string, number>, observed: Map<string, number>): Diff {
  const d: Diff = { missing: 0, extra: 0, unexpected: 0, missingEx: [], extraEx: [], unexpectedEx: [] };
  for (const [id, want] of expected) {
    const got = observed.get(id) ?? 0;
    if (got < want) {
      d.missing += want - got;
      if (d.missingEx.length < EXAMPLES) d.missingEx.push(id);
    } else if (got > want) {
      d.extra += got - want;
      if (d.extraEx.length < EXAMPLES) d.extraEx.push(`${id} ×${got}`);
    }
  }
  for (const [id, got] of observed) {
    if (!expected.has(id)) {
      d.unexpected += got;
      if (d.unexpectedEx.length < EXAMPLES) d.unexpectedEx.push(id);
    }
  }
  return d;
}

/** Compares what was expected with what was read back. */
export function verifyDelivery(evidence: DeliveryEvidence): DeliveryReport {
  const expected = tally(evidence.expected);
  const observed = tally(evidence.observed);
  const out = diff(expected, observed);
  const dlq = diff(tally(evidence.expectedDlq ?? []), tally(evidence.observedDlq ?? []));
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const dlqExpected = sum(tally(evidence.expectedDlq ?? []));
  const dlqd = sum(tally(evidence.observedDlq ?? []));
  // Under at-least-once a re-processed stateful input legitimately yields outputs a clean run
  // would not (a count that went one too far), so only exactly-once fails on them.
  const ok = out.missing === 0 && dlq.missing === 0 && dlq.unexpected === 0
    && (evidence.guarantee === 'at_least_once' || (out.extra === 0 && out.unexpected === 0 && dlq.extra === 0));
  return {
    guarantee: evidence.guarantee,
    expectedOut: sum(expected),
    recordsOut: sum(observed),
    missing: out.missing,
    duplicated: out.extra,
    unexpected: out.unexpected,
    dlqExpected,
    dlqd,
    dlqMissing: dlq.missing,
    dlqUnexpected: dlq.unexpected,
    dlqDuplicated: evidence.guarantee === 'exactly_once' ? dlq.extra : 0,
    examples: { missing: out.missingEx, duplicated: out.extraEx, unexpected: out.unexpectedEx, dlqMissing: dlq.missingEx, dlqDuplicated: dlq.extraEx },
    ok,
  };
}

/**
 * The report as printed at the end of a fault run; its last line is `ALL-RECORDS-DELIVERED`
 * when nothing is missing, or `NOT-ALL-RECORDS-DELIVERED` followed by what is wrong.
 */
export function formatDeliveryReport(r: DeliveryReport): string {
  const lines = [
    `guarantee: ${r.guarantee}`,
    `records out: ${r.recordsOut} (expected ${r.expectedOut})`,
    `lost: ${r.missing}`,
    `duplicated: ${r.duplicated}${r.guarantee === 'at_least_once' ? ' (allowed under at-least-once)' : ''}`,
    `unexpected: ${r.unexpected}${r.guarantee === 'at_least_once' ? ' (re-processing under at-least-once)' : ''}`,
    `DLQ'd: ${r.dlqd} (poison injected ${r.dlqExpected})`,
  ];
  if (r.ok) {
    lines.push('ALL-RECORDS-DELIVERED');
    return lines.join('\n');
  }
  const problems: string[] = [];
  if (r.missing > 0) problems.push(`missing ${r.missing}: ${r.examples.missing.join(', ')}`);
  if (r.guarantee === 'exactly_once' && r.duplicated > 0) problems.push(`duplicated ${r.duplicated}: ${r.examples.duplicated.join(', ')}`);
  if (r.guarantee === 'exactly_once' && r.unexpected > 0) problems.push(`unexpected ${r.unexpected}: ${r.examples.unexpected.join(', ')}`);
  if (r.dlqMissing > 0) problems.push(`missing from the DLQ ${r.dlqMissing}: ${r.examples.dlqMissing.join(', ')}`);
  if (r.dlqUnexpected > 0) problems.push(`unexpected in the DLQ ${r.dlqUnexpected}`);
  if (r.dlqDuplicated > 0) problems.push(`dead-lettered more than once ${r.dlqDuplicated}: ${r.examples.dlqDuplicated.join(', ')}`);
  lines.push(`NOT-ALL-RECORDS-DELIVERED: ${problems.join('; ')}`);
  return lines.join('\n');
}
