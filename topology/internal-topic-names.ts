/**
 * The names of an application's internal topics, in one place: the compiler, the checkers,
 * the stores and the engine all name them through these functions (Kafka Streams' naming:
 * `<application.id>-<name>-changelog`, `-repartition`). Their partition counts and configs are
 * the engine's: runtime/kafka/internal-topics.ts.
 */

/** The compacted changelog topic a store is restored from. */
export function changelogTopicName(app: string, store: string): string {
  return `${app}-${store}-changelog`;
}

/** The topic that moves records re-keyed before stateful step `stepId` to the step's task. */
export function repartitionTopicName(app: string, stepId: string): string {
  return `${app}-${stepId}-repartition`;
}

/** The dead-letter topic when `processing.deadLetterTopic` names none. */
export function defaultDeadLetterTopicName(app: string): string {
  return `${app}-dlq`;
}

/** Where the processes of an application publish their inputs' event-time frontiers. */
export function alignmentTopicName(app: string): string {
  return `${app}-alignment`;
}
