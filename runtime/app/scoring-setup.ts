import * as path from 'node:path';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { ScoringPool } from '../scoring/scoring-pool';
import type { Logger } from '../../core/logger';

/** How `tributary run` scores: local worker threads, remote endpoints, or both. */
export interface ScoringSetup {
  readonly localWorkers: number;
  readonly providers: readonly string[];
  readonly remoteEndpoints: readonly string[];
  /** onnxruntime intra-op threads per local worker (default: onnxruntime's own). */
  readonly intraOpThreads?: number;
}

/** The model folders that the topology's `score` steps name. */
export function scoredModels(topology: CompiledTopology): string[] {
  const dirs = new Set<string>();
  for (const node of Object.values(topology.nodes)) {
    if (node.kind === 'processor' && node.spec.name === 'score') dirs.add(path.resolve(String(node.options.model)));
  }
  return [...dirs];
}

/**
 * Start the process-wide scoring pool when the topology scores anything:
 * every model loaded, checked against its manifest and warmed up before the
 * first record. Remote endpoints take the traffic when given; local workers
 * then serve only as the fallback.
 */
export async function startScoring(topology: CompiledTopology, setup: ScoringSetup, logger: Logger): Promise<ScoringPool | undefined> {
  const models = scoredModels(topology);
  if (models.length === 0) return undefined;
  const pool = await ScoringPool.start({
    models,
    local: setup.localWorkers > 0 ? {
      workers: setup.localWorkers, providers: setup.providers, log: (line) => logger.info(line),
      ...(setup.intraOpThreads !== undefined ? { intraOpThreads: setup.intraOpThreads } : {}),
    } : undefined,
    remote: setup.remoteEndpoints.length > 0 ? { endpoints: setup.remoteEndpoints } : undefined,
    log: (line) => logger.info(line),
  });
  logger.info('scoring pool ready', { models: models.map((m) => path.basename(m)).join(','), localWorkers: setup.localWorkers, remote: setup.remoteEndpoints.length });
  return pool;
}
