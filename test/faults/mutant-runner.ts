import * as avro from 'avsc';
import { ConfigError } from '../../core/errors';
import type { CompiledTopology, GraphNode, SerdeConfig } from '../../topology/compiled-topology';
import { TopologyTestDriver } from '../../runtime/processing/topology-test-driver';
import { scoredModels } from '../../runtime/app/scoring-setup';
import { ScoringPool } from '../../runtime/scoring/scoring-pool';

/** What running one accepted mutant through the test driver showed. */
export type MutantRun =
  | { readonly outcome: 'ran'; readonly recordFailures: number }
  | { readonly outcome: 'skipped'; readonly why: string }
  | { readonly outcome: 'failed'; readonly reason: string };

/** Record errors that only a type mismatch causes (CEL dispatch finding no overload or no function). */
const typeError = /no matching overload|unbound function|found no overload/i;

/** A few records a source's format can decode: random values of its Avro schema, text, bytes, or an empty JSON object. */
function recordsFor(serde: SerdeConfig, count: number, seed: number): unknown[] {
  if (serde.format === 'avro' && serde.schema !== undefined) {
    const type = avro.Type.forSchema(serde.schema as avro.Schema);
    // Decoded from bytes, so values are what the Avro decoder gives the pipeline (record classes, numbers).
    return Array.from({ length: count }, () => type.fromBuffer(type.toBuffer(type.random())));
  }
  if (serde.format === 'string') return Array.from({ length: count }, (_, i) => `word${(seed + i) % 3} other`);
  if (serde.format === 'bytes') return Array.from({ length: count }, (_, i) => Buffer.from([seed % 256, i]));
  return Array.from({ length: count }, () => ({}));
}

/**
 * Whether every input of a step has a fully known value type, so a record
 * failing there with a type error is one `tributary validate` should have
 * reported (behind a json source or an undeclared custom operator the value
 * is dyn, and such errors are the data's, not the file's).
 */
function typedInput(topology: CompiledTopology, stepId: string, preds: ReadonlyMap<string, GraphNode[]>): boolean {
  const seen = new Set<string>();
  const todo = [stepId];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const p of preds.get(id) ?? []) {
      if (p.kind === 'processor') { if (p.types.value.includes('dyn') || p.types.key.includes('dyn')) return false; continue; }
      if (p.kind === 'source') {
        const s = topology.sources[p.source];
        if (!s || !((s.value.format === 'avro' && s.value.schema !== undefined) || s.value.format === 'string' || s.value.format === 'bytes')) return false;
        continue;
      }
      // A repartition source: its records are what reached the repartition sink of the same topic.
      const sink = Object.values(topology.nodes).find((n) => n.kind === 'repartition-sink' && n.topic === (p as { topic: string }).topic);
      if (sink) todo.push(sink.id);
    }
  }
  return true;
}

/**
 * Runs a topology that `tributary validate` accepted through the test driver
 * (real stores in a temporary folder): a few records decodable by each source
 * (three per source, a second batch later), then the end of input. It fails
 * when opening or running throws a configuration error or anything else
 * escapes, or when a record fails with a type error at a step whose input
 * types validate knew. Other record failures (a missing JSON field, a number
 * out of range) are the data's and only counted. A mutant with `score`
 * steps scores through a real pool of its models (`pools`; skipped without).
 */
export async function runAcceptedMutant(topology: CompiledTopology, seed: number, pools?: MutantScoringPools): Promise<MutantRun> {
  const scores = scoredModels(topology).length > 0;
  if (scores && !pools) return { outcome: 'skipped', why: 'has a score step (no scoring pool given)' };
  let driver: TopologyTestDriver | undefined;
  try {
    const scoring = scores ? await pools?.poolFor(topology) : undefined;
    driver = await TopologyTestDriver.open(topology, scoring ? { scoring } : {});
    const sources = Object.values(topology.sources);
    for (const [round, at] of [[0, 1_000], [1, 120_000]] as const) {
      for (const s of sources) {
        const values = recordsFor(s.value, 3, seed + round);
        const keys = s.key.format === 'avro' || s.key.format === 'bytes' ? recordsFor(s.key, 3, seed + round) : values.map((_, i) => `k${i % 2}`);
        await driver.pipe(s.name, values.map((value, i) => ({ key: keys[i], value, timestamp: at + i })));
      }
    }
    await driver.flush();
    const preds = new Map<string, GraphNode[]>();
    for (const n of Object.values(topology.nodes)) {
      const next = [...n.successors, ...(n.kind === 'processor' ? Object.values(n.sideOutputs).flat() : [])];
      for (const s of next) { const list = preds.get(s); if (list) list.push(n); else preds.set(s, [n]); }
    }
    const missed = driver.failures.find((f) => typeError.test(String((f.error as Error)?.message ?? f.error)) && typedInput(topology, f.stepId, preds));
    if (missed) return { outcome: 'failed', reason: `step '${missed.stepId}' failed a record with a type error validate did not report: ${(missed.error as Error).message}` };
    return { outcome: 'ran', recordFailures: driver.failures.length };
  } catch (err) {
    const kind = err instanceof ConfigError ? 'configuration error' : 'exception';
    return { outcome: 'failed', reason: `${kind} in the test driver: ${(err as Error)?.stack ?? String(err)}` };
  } finally {
    await driver?.close().catch(() => undefined);
  }
}

/**
 * Scoring pools for accepted mutants that score: one per set of model
 * folders (one local CPU worker), started when a mutant first needs it and
 * kept for the others, since starting a pool loads and warms its models.
 * A set whose pool fails to start fails each mutant that needs it (a model
 * validate accepted that cannot be loaded is a configuration error).
 */
export class MutantScoringPools {
  private readonly pools = new Map<string, Promise<ScoringPool>>();

  /** The pool of the models this topology's score steps name. */
  poolFor(topology: CompiledTopology): Promise<ScoringPool> {
    const models = scoredModels(topology).sort();
    const key = models.join('\u0000');
    let pool = this.pools.get(key);
    if (!pool) {
      pool = ScoringPool.start({ models, local: { workers: 1, providers: ['cpu'], log: () => {} }, batching: { maxDelayMs: 1 } });
      // Not kept when it fails: the next mutant tries again and fails on its own.
      pool.catch(() => this.pools.delete(key));
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes every pool that started. */
  async close(): Promise<void> {
    const started = await Promise.allSettled(this.pools.values());
    this.pools.clear();
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  }
}
