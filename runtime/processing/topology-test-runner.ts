import { isDeepStrictEqual } from 'node:util';
import type { CompiledTopology, TestRecord, TopologyTestCase } from '../../topology/compiled-topology';
import type { StreamRecord } from '../../core/stream-record';
import { TopologyTestDriver, type TestDriverOptions } from './topology-test-driver';

/** The outcome of one `tests:` block. */
export interface TopologyTestResult {
  readonly name: string;
  /** Line of the test in the topology file. */
  readonly line: number;
  readonly passed: boolean;
  /** What differed, one line each. */
  readonly messages: string[];
}

/** Plain data for comparison: bigints as numbers, Buffers as strings, undefined fields dropped. */
function plain(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return Number(v);
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('utf8');
    return v;
  }) ?? 'null') as unknown;
}

const show = (v: unknown): string => JSON.stringify(plain(v));

function compareRecord(sink: string, i: number, expected: TestRecord, actual: StreamRecord, messages: string[]): void {
  const fields: Array<keyof TestRecord> = ['key', 'value', 'timestamp', 'headers'];
  for (const f of fields) {
    if (expected[f] === undefined) continue;
    const got = f === 'headers' ? plain(actual.headers) : plain(actual[f as 'key']);
    const want = plain(expected[f]);
    const ok = f === 'headers' ? Object.entries(want as object).every(([k, v]) => isDeepStrictEqual((got as Record<string, unknown>)[k], v)) : isDeepStrictEqual(got, want);
    if (!ok) messages.push(`${sink}[${i}].${f}: expected ${show(want)}, got ${show(got)}`);
  }
}

/** Runs one test case in a fresh driver (fresh stores). */
export async function runTopologyTest(topology: CompiledTopology, test: TopologyTestCase, options: TestDriverOptions = {}): Promise<TopologyTestResult> {
  const messages: string[] = [];
  const driver = await TopologyTestDriver.open(topology, options);
  try {
    for (const input of test.inputs) {
      if ('advanceStreamTime' in input) await driver.advanceStreamTime(input.advanceStreamTime);
      else await driver.pipe(input.source, input.records.map((r) => ({ ...r, value: r.value ?? null })));
    }
    if (test.flush) await driver.flush();
    for (const expect of test.expect) {
      const actual = driver.readOutput(expect.sink);
      expect.records.forEach((record, i) => {
        if (i < actual.length) compareRecord(expect.sink, i, record, actual[i], messages);
      });
      if (actual.length !== expect.records.length) {
        messages.push(`${expect.sink}: expected ${expect.records.length} records, got ${actual.length}${actual.length > expect.records.length
          ? `; extra: ${actual.slice(expect.records.length).map((r) => `${show(r.key)}=${show(r.value)}`).join(', ')}` : ''}`);
      }
    }
    for (const entry of test.stores) {
      const got = await driver.store(entry.store).get(entry.key);
      if (!isDeepStrictEqual(plain(got), plain(entry.value))) {
        messages.push(`store ${entry.store}[${show(entry.key)}]: expected ${show(entry.value)}, got ${got === undefined ? 'nothing' : show(got)}`);
      }
    }
    for (const f of driver.failures) {
      messages.push(`step ${f.stepId} failed on a record (dead-letter): ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    }
  } catch (err) {
    messages.push(`error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await driver.close();
  }
  return { name: test.name, line: test.line, passed: messages.length === 0, messages };
}

/** Runs every `tests:` block of a compiled topology, in order. */
export async function runTopologyTests(topology: CompiledTopology, options: TestDriverOptions = {}): Promise<TopologyTestResult[]> {
  const results: TopologyTestResult[] = [];
  for (const test of topology.tests) results.push(await runTopologyTest(topology, test, options));
  return results;
}
