import type { OptionSpec } from '../operator-spec';

/** Option specs several operators share, so their docs read the same everywhere. */
/** The `store` option of stateful operators. */
export const storeOption = (what: string) => ({ kind: 'store', required: true, description: `Key-value store that holds ${what} (survives restarts; one store per step).` }) as const satisfies OptionSpec;

/** Where a result goes: the whole value, or a field of a copy of the input value. */
export const intoOption = {
  kind: 'string',
  description: 'When set, the result is written to this field of a copy of the input value instead of replacing the value.',
} as const satisfies OptionSpec;

/** Side output for late records. */
export const lateToOption = {
  kind: 'sink',
  description: 'Side output for late records; when absent they go to the step\'s error policy (the DLQ). Either way they are counted as late_records.',
} as const satisfies OptionSpec;

/** Grace period of windows. */
export const graceOption = {
  kind: 'duration', default: 0,
  description: 'How long after a window ends (in stream time) records for it are still accepted.',
} as const satisfies OptionSpec;

/** Final or update emission of windows. */
export const emitOption = {
  kind: 'string', default: 'final', oneOf: ['final', 'update'],
  description: "'final': one result per window once stream time passes its end plus grace (suppress until final); 'update': a result on every change.",
} as const satisfies OptionSpec;

/** Event-time or wall-clock intervals. */
export const timeOption = {
  kind: 'string', default: 'event', oneOf: ['event', 'wall'],
  description: "Clock for intervals: 'event' (stream time, deterministic on replay) or 'wall' (wall clock; the runtime sends punctuation ticks).",
} as const satisfies OptionSpec;
