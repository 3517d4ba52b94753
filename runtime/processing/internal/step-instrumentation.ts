import { finalize, tap, type OperatorFunction } from 'rxjs';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { markSpanFailed } from '../../telemetry/stage-span';
import type { StreamRecord } from '../../../core/stream-record';
import type { StepMeter } from '../step-meter';

/** What one step of one batch is measured with; each part is optional. */
export interface StepInstruments {
  readonly meter?: StepMeter;
  /** Present when the batch is traced (see stage-span.ts). */
  readonly tracer?: Tracer;
  /** The batch span's context: the step span's parent. */
  readonly parent?: Context;
  /** Hands the step span to whoever nests spans under it (scoring). */
  readonly onSpan?: (span: Span) => void;
}

/**
 * The one wrapper every step's operator runs in, built-in or custom: it counts the records
 * that go in and come out (`tributary.step.records`), times the step from wiring to drain
 * (`tributary.step.duration`) and, when the batch is traced, makes one span `step <id>` per
 * batch (never per record) carrying the same counts. Counts are added once per batch, so the
 * meter costs the same for 1 record or 10,000.
 */
export function instrumentStep(
  operator: OperatorFunction<StreamRecord, StreamRecord>,
  stepId: string,
  instruments: StepInstruments,
): OperatorFunction<StreamRecord, StreamRecord> {
  const { meter, tracer, parent, onSpan } = instruments;
  if (!meter && !tracer) return operator;
  return (source) => {
    const started = process.hrtime.bigint();
    const span = tracer?.startSpan(`step ${stepId}`, { attributes: { 'tributary.step.id': stepId } }, parent);
    if (span) onSpan?.(span);
    let recordsIn = 0;
    let recordsOut = 0;
    return operator(source.pipe(tap(() => { recordsIn++; }))).pipe(
      tap({ next: () => { recordsOut++; }, error: (err: unknown) => { if (span) markSpanFailed(span, err); } }),
      finalize(() => {
        if (meter) {
          if (recordsIn > 0) meter.stepRecords(stepId, 'in', recordsIn);
          if (recordsOut > 0) meter.stepRecords(stepId, 'out', recordsOut);
          meter.stepDuration(stepId, Number(process.hrtime.bigint() - started) / 1e9);
        }
        if (span) {
          span.setAttributes({ 'tributary.records.in': recordsIn, 'tributary.records.out': recordsOut });
          span.end();
        }
      }),
    );
  };
}
