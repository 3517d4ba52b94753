import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';

/** Folder of the benchmark's Avro schemas, shared with the Kafka Streams peer. */
export const BENCH_SCHEMA_DIR = join(__dirname, '..', '..', '..', 'bench', 'schemas');

/** Path of bench/schemas/bench-event.avsc (input events). */
export const BENCH_EVENT_SCHEMA_PATH = join(BENCH_SCHEMA_DIR, 'bench-event.avsc');
/** Path of bench/schemas/bench-aggregate.avsc (per-key count and sum, the output). */
export const BENCH_AGGREGATE_SCHEMA_PATH = join(BENCH_SCHEMA_DIR, 'bench-aggregate.avsc');

/** The parsed schema JSON and its avsc type. */
export interface LoadedSchema {
  readonly json: object;
  readonly type: avro.Type;
}

/** Reads and parses one .avsc file. */
export function loadAvsc(path: string): LoadedSchema {
  const json = JSON.parse(readFileSync(path, 'utf8')) as object;
  return { json, type: avro.Type.forSchema(json as avro.Schema) };
}
