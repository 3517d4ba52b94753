import type { StreamRecord } from '../../core/stream-record';
import type { OptionProblem, OptionSpecs, OptionValues } from '../operator-spec';
import { recordAccessor } from './field-path';

/** Options that tell a join's two inputs apart once a pipeline has merged them (`from: [a, b]`). */
export const joinSideOptions = {
  rightTopic: { kind: 'string', description: 'Records read from this topic are the right side; all others the left.' },
  right: { kind: 'expression', returns: 'bool', description: 'Instead of rightTopic: true for right-side records (e.g. has(value.impressionId)).' },
} as const satisfies OptionSpecs;

/** The side options of a join step, as `check` (expressions as text) or `create` gets them. */
type JoinSides = OptionValues<typeof joinSideOptions, unknown>;

/** Problems with how a join's sides are told apart (for `check`). */
export function joinSideProblems(options: JoinSides): OptionProblem[] {
  return (options.rightTopic === undefined) === (options.right === undefined)
    ? [{ path: [], message: 'set exactly one of rightTopic or right' }] : [];
}

/** A predicate: is this record from the right input? (check() made sure exactly one of rightTopic and right is set.) */
export function rightSide(options: JoinSides, stepId: string): (record: StreamRecord) => boolean {
  if (options.rightTopic !== undefined) {
    const topic = options.rightTopic;
    return (record) => record.source?.topic === topic;
  }
  const test = recordAccessor(options.right, 'right', stepId);
  return (record) => test(record) === true;
}
