import { ConfigError } from '../../core/errors';
import type { StreamRecord } from '../../core/stream-record';
import type { OptionProblem, OptionSpec, ResolvedOptions } from '../operator-spec';
import { recordAccessor } from './field-path';

/** Options that tell a join's two inputs apart once a pipeline has merged them (`from: [a, b]`). */
export const joinSideOptions: Record<string, OptionSpec> = {
  rightTopic: { kind: 'string', description: 'Records read from this topic are the right side; all others the left.' },
  right: { kind: 'expression', returns: 'bool', description: 'Instead of rightTopic: true for right-side records (e.g. has(value.impressionId)).' },
};

/** Problems with how a join's sides are told apart (for `check`). */
export function joinSideProblems(options: ResolvedOptions): OptionProblem[] {
  return (options.rightTopic === undefined) === (options.right === undefined)
    ? [{ path: [], message: 'set exactly one of rightTopic or right' }] : [];
}

/** A predicate: is this record from the right input? */
export function rightSide(options: ResolvedOptions, stepId: string): (record: StreamRecord) => boolean {
  const problems = joinSideProblems(options);
  if (problems.length > 0) throw new ConfigError(`step ${stepId}: ${problems[0]!.message}`);
  if (options.rightTopic !== undefined) {
    const topic = options.rightTopic as string;
    return (record) => record.source?.topic === topic;
  }
  const test = recordAccessor(options.right, 'right', stepId);
  return (record) => test(record) === true;
}
