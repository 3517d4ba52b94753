import type { OperatorSpec } from '../../../../operators/operator-spec';
import type { StreamRecord } from '../../../../core/stream-record';
import { runBatches, show, TestContext } from './test-context';

/**
 * Outputs of a run in one go, and of the same records split at `at` with a
 * restart in between (a new operator instance on the committed stores),
 * grouped by record key: the order within a key is defined, across keys a
 * batch boundary may move when a quiet key's timer fires.
 */
export async function straightAndRestarted(spec: OperatorSpec, options: Record<string, unknown>, records: StreamRecord[], at: number): Promise<[string[], string[]]> {
  const straight = (await runBatches(spec, options, [records])).flat();
  const ctx = new TestContext();
  const before = (await runBatches(spec, options, [records.slice(0, at)], ctx)).flat();
  const after = (await runBatches(spec, options, [records.slice(at)], ctx)).flat();
  const byKey = (records: StreamRecord[]) => show(records).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return [byKey(straight), byKey([...before, ...after])];
}

function keyOf(shown: string): string {
  const m = /"key":"([^"]*)"/.exec(shown);
  return m ? m[1]! : shown.split(':')[0]!;
}
