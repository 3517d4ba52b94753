import { RecordError } from '../../core/errors';
import type { StreamRecord } from '../../core/stream-record';
import type { OperatorContext } from '../operator-spec';

/**
 * Late records are never silently dropped: they are counted and go to the
 * step's `lateTo` side output, or to its error policy (the DLQ) when none is set.
 */
export function routeLate(context: OperatorContext, lateTo: string | undefined, record: StreamRecord, why: string): void {
  context.count?.('late_records', 1);
  if (lateTo !== undefined) {
    context.sideOutput(lateTo, record);
    return;
  }
  context.recordFailed(record, new RecordError(`late record (${why}) at step ${context.stepId}`, {
    ...(record.source ?? {}), stepId: context.stepId,
  }));
}
