import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { GroupConsumer, GroupConsumerHandlers, GroupConsumerOptions, TopicPartitionOffset } from '../kafka-client';
import { errorForKafkajsRunner } from './kafkajs-errors';
import { holdTopicFetchBudgets } from './kafkajs-fetch-budgets';
import { taskAssigner } from './kafkajs-task-assigner';

/** Longest a fetch waits for records on the broker, and the nap of a fetch with every partition paused. */
const FETCH_MAX_WAIT_MS = 500;

/**
 * {@link GroupConsumer} over a kafkajs consumer: `eachBatch` with manual
 * resolution and no auto-commit. kafkajs fetches a partition's next batch
 * only after the previous one's handler resolved, and fetches from resolved
 * offsets (not committed ones), so an unmarked batch is fetched again.
 */
export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private handlers?: GroupConsumerHandlers;
  private releaseFetchBudgets?: () => void;

  constructor(kafka: Kafka, private readonly options: GroupConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxBytesPerPartition: options.maxBytesPerPartition,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      // A fetch that finds every partition paused sleeps this long, and a resumed partition joins
      // the fetch only when the long poll in flight returns: kafkajs' 5 s would stall a task
      // whose buffered records ran out (partition-group.ts).
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      partitionAssigners: [taskAssigner(options.coPartitionGroups ?? [], {
        beforeRejoin: () => this.handlers?.onRevoking?.() ?? Promise.resolve(),
        ...(options.advertisedEndpoint ? { advertisedEndpoint: options.advertisedEndpoint } : {}),
        ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId, leaveOnClose: options.leaveGroupOnClose ?? false } : {}),
        onGroupEndpoints: (members) => this.handlers?.onGroupEndpoints?.(members),
        onStandbyTasks: (taskIds) => this.handlers?.onStandbyTasks?.(taskIds),
        ...(options.localTasks ? { localTasks: options.localTasks } : {}),
        standbyReplicas: options.standbyReplicas ?? 0,
        isStatefulTask: (taskId) => options.statefulGroups?.has(Number(taskId.split('_')[0])) ?? false,
      })],
    });
  }

  async run(handlers: GroupConsumerHandlers): Promise<void> {
    const consumer = this.consumer;
    this.handlers = handlers;
    consumer.on(consumer.events.GROUP_JOIN, (event) => handlers.onAssignment(event.payload.memberAssignment));
    // kafkajs restarts a crashed consumer only after retriable errors; otherwise it stays down.
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) handlers.onFailure(event.payload.error);
    });
    this.releaseFetchBudgets ??= holdTopicFetchBudgets(this.options.topicMaxBytesPerPartition ?? new Map());
    await consumer.connect();
    for (const { topic, fromBeginning } of this.options.topics) await consumer.subscribe({ topic, fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => handlers.onBatch({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages,
        isRunning,
        isStale,
        heartbeat,
        markProcessed: resolveOffset,
        lag: () => BigInt(batch.offsetLag()),
      }).catch((error: unknown) => { throw errorForKafkajsRunner(error); }),
    });
  }

  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  pause(topic: string, partition: number): void {
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  resume(topic: string, partition: number): void {
    this.consumer.resume([{ topic, partitions: [partition] }]);
  }

  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.consumer.commitOffsets([...offsets]);
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  close(): Promise<void> {
    this.releaseFetchBudgets?.();
    return this.consumer.disconnect();
  }
}
