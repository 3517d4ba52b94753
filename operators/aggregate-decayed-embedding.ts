import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { intoOption, storeOption } from './internal/common-options';
import { decayFactor, durationLabel } from './internal/decay';
import { optionalAccessor, recordAccessor } from './internal/field-path';
import { tableAggregate } from './internal/table-aggregate';
import { scalar } from './value-type';
import { listOf, placed } from './internal/output-types';

/** Stored value: per half-life, the decayed weighted sum of vectors and the decayed total weight, as of `updatedAt`. */
export interface DecayedEmbeddingState {
  readonly updatedAt: number;
  readonly dims: number;
  readonly sums: Record<string, number[]>;
  readonly weights: Record<string, number>;
}

/**
 * Exponentially time-decayed average of float vectors per key (e.g. a user's
 * short- and long-term interest embedding from the pins they engage with,
 * weighted by action). The average is sum / weight, both decayed, so each
 * half-life costs one vector and one number per key. The emitted value is
 * `{ <half-life>: average vector }`; the store keeps sums and weights.
 *
 * ```
 * halfLives: [1h]
 * u:[1,0]@0 ──── u:[0,1]@1h ──|
 * {1h:[1,0]}@0   {1h:[0.333,0.667]}@1h
 * ```
 */
export const aggregateDecayedEmbedding = defineOperator({
  name: 'aggregate-decayed-embedding',
  summary: 'Per-key exponentially decayed weighted average of float vectors, several half-lives in one value.',
  stateful: true,
  example: [
    '- id: interest-embedding',
    '  aggregate-decayed-embedding:',
    '    store: user-interest',
    '    vector: value.embedding',
    '    halfLives: [1h, 7d]',
    '    weight: value.weight',
  ].join('\n'),
  output: (context) => placed(context, { kind: 'map', key: scalar('string'), value: listOf(scalar('double')) }, 'aggregate-decayed-embedding'),
  options: {
    store: storeOption('the decayed sums and weights, keyed by record key'),
    vector: { kind: 'expression', required: true, description: 'The vector (array of numbers or Float32Array) to average.' },
    halfLives: { kind: 'list', required: true, items: { kind: 'duration', positive: true, description: 'A half-life.' }, description: 'Half-lives to keep, e.g. [1h, 7d].' },
    weight: { kind: 'expression', description: 'Weight of this record (a number, may be 0); default 1.' },
    into: intoOption,
  },
  check(options) {
    return options.halfLives.length === 0 ? [{ path: ['halfLives'], message: 'halfLives must name at least one half-life' }] : [];
  },
  create(options, context) {
    const halfLives = options.halfLives;
    const labels = halfLives.map(durationLabel);
    const vector = recordAccessor(options.vector, 'vector', context.stepId);
    const weight = optionalAccessor(options.weight, 'weight', () => 1, context.stepId);
    return tableAggregate<DecayedEmbeddingState>(context, options.store, options.into, (state, record) => {
      const where = { ...record.source, stepId: context.stepId };
      const raw = vector(record);
      if (!Array.isArray(raw) && !(raw instanceof Float32Array) && !(raw instanceof Float64Array)) throw new RecordError('vector is not an array of numbers', where);
      const v = Array.from(raw as ArrayLike<number>, Number);
      if (v.some((x) => !Number.isFinite(x))) throw new RecordError('vector holds a value that is not a finite number', where);
      if (state && state.dims !== v.length) throw new RecordError(`vector has ${v.length} dimensions, the key's average has ${state.dims}`, where);
      const w = Number(weight(record));
      if (!Number.isFinite(w) || w < 0) throw new RecordError(`weight must be a non-negative number, got ${String(weight(record))}`, where);
      const at = record.timestamp;
      const from = state?.updatedAt ?? at;
      const now = Math.max(from, at);
      const sums: Record<string, number[]> = {};
      const weights: Record<string, number> = {};
      labels.forEach((label, i) => {
        const h = halfLives[i]!;
        const old = decayFactor(now - from, h);
        const add = w * decayFactor(now - at, h);
        const previous = state?.sums[label] ?? new Array<number>(v.length).fill(0);
        sums[label] = previous.map((s, d) => s * old + v[d]! * add);
        weights[label] = (state?.weights[label] ?? 0) * old + add;
      });
      const next: DecayedEmbeddingState = { updatedAt: now, dims: v.length, sums, weights };
      return { state: next, result: decayedAverage(next) };
    });
  },
});

/** The average vectors of a stored state, by half-life label (zeros while the weight is 0). */
export function decayedAverage(state: DecayedEmbeddingState): Record<string, number[]> {
  return Object.fromEntries(Object.entries(state.sums).map(([label, sum]) => {
    const w = state.weights[label] ?? 0;
    return [label, sum.map((s) => (w > 0 ? s / w : 0))];
  }));
}
