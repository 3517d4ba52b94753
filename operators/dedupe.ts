import { defineOperator } from './operator-spec';
import { storeOption, timeOption } from './internal/common-options';
import { optionalAccessor } from './internal/field-path';
import { keyedTimerOperator } from './internal/keyed-timer-operator';
import { passesRecordsOn } from './internal/output-types';

/**
 * Drops repeats: the first record with a given id passes, and records with the
 * same id whose time is within `within` of that first one (inclusive, either
 * side) are dropped and counted (`duplicates_dropped`: dropping them is this
 * step's purpose). The id's entry expires `within` after the first record, so
 * a later repeat passes and opens a new window. Records with the same id must
 * be in the same partition (key by it first, or use the key as the id).
 *
 * ```
 * within: 10, id: value.eventId
 * e1@0 ─ e1@4 ─ e2@5 ─ e1@11 ──|
 * e1@0 ──────── e2@5 ─ e1@11 ──|
 * ```
 */
export const dedupe = defineOperator({
  name: 'dedupe',
  summary: 'Drop records whose id was already seen within a time window.',
  stateful: true,
  example: [
    '- id: once',
    '  dedupe:',
    '    store: seen-events',
    '    id: value.eventId',
    '    within: 1h',
  ].join('\n'),
  output: passesRecordsOn,
  options: {
    store: storeOption('ids seen recently and their expiry timers'),
    id: { kind: 'expression', description: 'What makes two records the same; default the record key.' },
    within: { kind: 'duration', required: true, positive: true, description: 'How long after the first record its repeats are dropped.' },
    time: timeOption,
  },
  create(options, context) {
    const within = options.within;
    const id = optionalAccessor(options.id, 'id', (r) => r.key, context.stepId);
    const clock = options.time;
    const timeOf = (t: number) => (clock === 'event' ? t : context.wallClock());
    return keyedTimerOperator<{ first: number }>(context, options.store, clock, {
      stateKeyOf: (record) => id(record) ?? null,
      nextTimer: (state) => state.first + within + 1,
      advance: (state, now) => (state.first + within < now ? { state: undefined, out: [] } : { state, out: [] }),
      apply: (state, record) => {
        const t = timeOf(record.timestamp);
        if (state !== undefined && Math.abs(t - state.first) <= within) {
          context.count?.('duplicates_dropped', 1);
          return { state, out: [] };
        }
        return { state: state === undefined || t > state.first ? { first: t } : state, out: [record] };
      },
    }, within);
  },
});
