import type { KafkaClient } from './client/kafka-client';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { TaskStores } from '../state/task-stores';
import { KafkaChangelogReader } from '../state/changelog-restorer';
import type { Logger } from '../../core/logger';
import type { TaskResources } from './stream-app';

/**
 * Open a task's stores under `<stateDir>/<app>/<task>` and bring them up to
 * their changelogs' end before the task processes a record. The consumer
 * group is heartbeated while a long restore runs, so the member is not
 * evicted for being slow.
 */
export async function openTaskStores(
  topology: CompiledTopology,
  resources: Omit<TaskResources, 'stores' | 'schedulePunctuation'>,
  kafka: KafkaClient,
  heartbeat: () => Promise<void>,
  logger: Logger,
): Promise<TaskStores | undefined> {
  if (resources.subTopology.stores.length === 0) return undefined;
  const stores = await TaskStores.open({
    stateDir: topology.processing.stateDir,
    appId: topology.name,
    taskId: resources.taskId,
    partition: resources.partition,
    processingGuarantee: topology.processing.guarantee,
    metrics: true,
    stores: resources.subTopology.stores.map((name) => {
      const store = topology.stores[name];
      return { name, changelog: store.changelog, cache: store.cache, format: store.format };
    }),
  });
  const beat = setInterval(() => { void heartbeat().catch(() => undefined); }, 2000);
  try {
    const summaries = await stores.restore(new KafkaChangelogReader(kafka, { log: (line: string) => logger.info(line) }));
    for (const s of summaries) {
      if (s.records > 0) logger.info('store restored', { task: resources.taskId, store: s.store, records: s.records, ms: s.durationMs, from: s.fromOffset ?? 'beginning', to: s.endOffset });
    }
    logger.info('task stores ready', { task: resources.taskId, localState: stores.localState });
    return stores;
  } catch (error) {
    await stores.close();
    throw error;
  } finally {
    clearInterval(beat);
  }
}
