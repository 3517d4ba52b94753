import type { Kafka } from 'kafkajs';

/**
 * Waits until consumer group `groupId` has committed the end offset of every partition of
 * `topic` (the application has processed, and committed, all input). Returns false on timeout.
 */
export async function waitForGroupCaughtUp(kafka: Kafka, groupId: string, topic: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  let connected = false;
  try {
    while (Date.now() < deadline) {
      try {
        if (!connected) { await admin.connect(); connected = true; }
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        if (ends.every((e) => (byPartition.get(e.partition) ?? -1) >= Number(e.high))) return true;
      } catch {
        await admin.disconnect().catch(() => undefined);
        connected = false;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
