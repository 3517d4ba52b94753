import { RecordError } from '../core/errors';
import { defineOperator } from './operator-spec';
import { intoOption, storeOption } from './internal/common-options';
import { optionalAccessor, recordAccessor } from './internal/field-path';
import { tableAggregate } from './internal/table-aggregate';
import { scalar } from './value-type';
import { listOf, placed } from './internal/output-types';

/** Stored value: member -> expiry (event time, ms). */
export interface TtlSet {
  readonly members: Record<string, number>;
}

/**
 * A per-key set whose members expire a fixed time after they were last added
 * (e.g. pins a user hid or saved, to filter from recommendations for 30 days).
 * Expiry is by event time: members whose expiry is at or before the record's
 * time are gone. Emits the live members, sorted. `remove` deletes a member
 * (e.g. an un-hide). When `maxSize` is reached the member expiring first goes.
 *
 * ```
 * ttl: 10, member: value.pin
 * u:{pin:a}@0 ── u:{pin:b}@5 ── u:{pin:c}@12 ──|
 * [a]@0          [a,b]@5         [b,c]@12
 * ```
 */
export const aggregateTtlSet = defineOperator({
  name: 'aggregate-ttl-set',
  summary: 'Per-key set of members that expire a fixed time after they were added (e.g. hidden pins).',
  stateful: true,
  example: [
    '- id: hidden-pins',
    '  aggregate-ttl-set:',
    '    store: user-hidden-pins',
    '    member: value.pinId',
    '    ttl: 30d',
  ].join('\n'),
  output: (context) => placed(context, listOf(scalar('string')), 'aggregate-ttl-set'),
  options: {
    store: storeOption('the sets, keyed by record key'),
    member: { kind: 'expression', required: true, description: 'The member to add (made a string).' },
    ttl: { kind: 'duration', required: true, positive: true, description: 'How long a member stays after it was last added.' },
    remove: { kind: 'expression', returns: 'bool', description: 'When this is true for a record, its member is removed instead of added.' },
    maxSize: { kind: 'integer', description: 'At most this many members per key (the one expiring first is dropped).' },
    into: intoOption,
  },
  create(options, context) {
    const ttl = options.ttl;
    const member = recordAccessor(options.member, 'member', context.stepId);
    const remove = optionalAccessor(options.remove, 'remove', () => false, context.stepId);
    const maxSize = options.maxSize;
    return tableAggregate<TtlSet>(context, options.store, options.into, (state, record) => {
      const raw = member(record);
      if (raw === undefined || raw === null) throw new RecordError('member is missing', { ...record.source, stepId: context.stepId });
      const at = record.timestamp;
      const members: Record<string, number> = {};
      for (const [m, expiry] of Object.entries(state?.members ?? {})) if (expiry > at) members[m] = expiry;
      const name = String(raw);
      if (remove(record) === true) delete members[name];
      else members[name] = Math.max(members[name] ?? 0, at + ttl);
      if (maxSize !== undefined) {
        // One add exceeds the cap by at most one member: drop the one expiring first (no sort).
        let size = Object.keys(members).length;
        while (size > maxSize) {
          let first: string | undefined;
          for (const [m, expiry] of Object.entries(members)) if (first === undefined || expiry < members[first]!) first = m;
          delete members[first!];
          size -= 1;
        }
      }
      const next = Object.keys(members).length === 0 ? undefined : { members };
      return { state: next, result: liveMembers(next, at) };
    });
  },
});

/** Members of a stored set that are still live at time `now`, sorted. */
export function liveMembers(state: TtlSet | undefined, now: number): string[] {
  return Object.entries(state?.members ?? {}).filter(([, expiry]) => expiry > now).map(([m]) => m).sort();
}
