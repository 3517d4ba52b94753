import { from, lastValueFrom, toArray, type OperatorFunction } from 'rxjs';
import type { OperatorContext, OperatorSpec } from '../../../../operators/operator-spec';
import type { StreamRecord } from '../../../../core/stream-record';
import { MemoryStore } from './memory-store';

/** What a test context saw the operator do besides emitting. */
export class TestContext implements OperatorContext {
  readonly stores = new Map<string, MemoryStore>();
  readonly failed: Array<{ record: StreamRecord; error: unknown }> = [];
  readonly side: Array<{ target: string; record: StreamRecord }> = [];
  readonly counters = new Map<string, number>();
  readonly punctuation: number[] = [];
  now = 0;
  taskStreamTime = -Infinity;

  constructor(readonly stepId = 'step', readonly taskId = '0_0') {}

  keyValueStore<K, V>(name: string): MemoryStore<K, V> {
    if (!this.stores.has(name)) this.stores.set(name, new MemoryStore(name));
    return this.stores.get(name) as unknown as MemoryStore<K, V>;
  }

  streamTime(): number { return this.taskStreamTime; }
  wallClock(): number { return this.now; }
  recordFailed(record: StreamRecord, error: unknown): void { this.failed.push({ record, error }); }
  sideOutput(target: string, record: StreamRecord): void { this.side.push({ target, record }); }
  requestPunctuation(intervalMs: number): void { this.punctuation.push(intervalMs); }
  count(counter: string, amount = 1): void { this.counters.set(counter, (this.counters.get(counter) ?? 0) + amount); }

  commit(): void { for (const store of this.stores.values()) store.commit(); }
  crash(): void { for (const store of this.stores.values()) store.crash(); }
}

/** A record for tests: key, value, timestamp. */
export function rec(key: unknown, value: unknown, timestamp: number, headers: StreamRecord['headers'] = {}): StreamRecord {
  return { key, value, timestamp, headers, source: { topic: 'in', partition: 0, offset: String(timestamp) } };
}

/**
 * Runs batches through a fresh operator instance per batch, as the executor
 * does (create once, apply per batch), committing stores after each batch.
 * Returns the outputs per batch.
 */
export async function runBatches(
  spec: OperatorSpec,
  options: Record<string, unknown>,
  batches: StreamRecord[][],
  context = new TestContext(),
): Promise<StreamRecord[][]> {
  const op = createOperator(spec, options, context);
  const outputs: StreamRecord[][] = [];
  for (const batch of batches) {
    outputs.push(await lastValueFrom(from(batch).pipe(op, toArray())));
    context.commit();
  }
  return outputs;
}

/**
 * Creates a step's operator from options written in the test (defaults filled, not checked:
 * validate checks them in production), such as an aggregate module passed as an object.
 */
export function createOperator(spec: OperatorSpec, options: Record<string, unknown>, context: OperatorContext = new TestContext()): OperatorFunction<StreamRecord, StreamRecord> {
  return spec.create(withDefaults(spec, options), context);
}

/** Fills option defaults as the topology resolver does. */
export function withDefaults(spec: OperatorSpec, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) if (option.default !== undefined) out[name] = option.default;
  return { ...out, ...options };
}

/** `key:value@time` for compact assertions. */
export function show(records: StreamRecord[]): string[] {
  return records.map((r) => `${typeof r.key === 'string' ? r.key : JSON.stringify(r.key)}:${JSON.stringify(r.value)}@${r.timestamp}`);
}
