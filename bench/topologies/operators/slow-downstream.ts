import { concatMap, from, toArray, type OperatorFunction } from 'rxjs';
import type { OperatorSpec } from '../../../operators/operator-spec';
import type { StreamRecord } from '../../../core/stream-record';

/**
 * The memory benchmark's stand-in for a slow sink (bench/memory-slow-sink.ts): passes records
 * through unchanged after waiting `microsPerRecord` × the batch's size, without using the CPU,
 * the way a sink that acknowledges slowly holds a batch. 0 passes batches straight through.
 */
export const spec: OperatorSpec = {
  name: 'slow-downstream',
  summary: 'Pass records through after a wait proportional to the batch size (a slow sink).',
  example: ['- id: slow', '  operator: ./operators/slow-downstream.ts', '  options:', '    microsPerRecord: 500'].join('\n'),
  options: {
    microsPerRecord: { kind: 'number', required: true, description: 'Wait per record of a batch, in microseconds.' },
  },
  create(options): OperatorFunction<StreamRecord, StreamRecord> {
    const micros = Number(options.microsPerRecord);
    return (source) => source.pipe(
      toArray(),
      concatMap(async (batch) => {
        const waitMs = (batch.length * micros) / 1000;
        if (waitMs >= 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
        return batch;
      }),
      concatMap((batch) => from(batch)),
    );
  },
};
