import { finalize, tap, type OperatorFunction } from 'rxjs';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { markSpanFailed } from '../../telemetry/stage-span';
import type { StreamRecord } from '../../../core/stream-record';

/**
 * `operator` applied to one batch inside a span `step <stepId>`, a child of
 * `parent` (the batch span's context): one span per step per batch, never per
 * record. It starts when the batch is wired up and ends when the step has
 * drained, carrying how many records went in and came out. `onStart` hands
 * the span to whoever nests spans under it (scoring).
 */
export function stepSpanOperator(
  operator: OperatorFunction<StreamRecord, StreamRecord>,
  stepId: string,
  tracer: Tracer,
  parent: Context,
  onStart: (span: Span) => void,
): OperatorFunction<StreamRecord, StreamRecord> {
  return (source) => {
    const span = tracer.startSpan(`step ${stepId}`, { attributes: { 'tributary.step.id': stepId } }, parent);
    onStart(span);
    let recordsIn = 0;
    let recordsOut = 0;
    return operator(source.pipe(tap(() => { recordsIn++; }))).pipe(
      tap({ next: () => { recordsOut++; }, error: (err: unknown) => markSpanFailed(span, err) }),
      finalize(() => {
        span.setAttributes({ 'tributary.records.in': recordsIn, 'tributary.records.out': recordsOut });
        span.end();
      }),
    );
  };
}
