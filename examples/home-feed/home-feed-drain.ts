import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';

/**
 * Waits until the flagship application `appId` has processed everything
 * written to its input topics: its group has committed the end of every
 * input partition and of every repartition topic of the app (the pin-index
 * and fresh-content hops), in two polls in a row (a hop's topic grows while
 * its upstream commits). Resolves with `drained` true when drained, false
 * at `deadline` (epoch ms) with what was still `behind` (topic/partition
 * committed/end); `failed` stops the wait early with its error.
 */
export async function waitForHomeFeedDrained(admin: Admin, appId: string, inputs: readonly string[], deadline: number, failed?: () => unknown): Promise<{ drained: boolean; behind: string[] }> {
  let quietPolls = 0;
  let behind: string[] = [];
  while (Date.now() < deadline) {
    const error = failed?.();
    if (error) throw error;
    const repartition = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition'));
    const topics = [...inputs, ...repartition];
    const committed = await admin.fetchOffsets({ groupId: appId, topics });
    behind = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const offsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(offsets.find((o) => o.partition === end.partition)?.offset ?? -1);
        if (Number(end.high) > 0 && at < Number(end.high)) behind.push(`${topic}/${end.partition} ${at}/${end.high}`);
      }
    }
    quietPolls = behind.length === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return { drained: true, behind };
    await sleep(500);
  }
  return { drained: false, behind };
}
