import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { alignmentTopicName } from '../../topology/internal-topic-names';
import { TributaryError } from '../../core/errors';
import type { GroupDescription, KafkaAdmin, TopicPartitionOffset } from './client/kafka-client';

/*
 * `tributary reset`: make an application start over, as Kafka Streams'
 * application reset tool does. With every instance stopped, it
 *   1. resets the group's committed offsets on the source topics (to the earliest,
 *      the latest, or the first record at or after a time);
 *   2. deletes the internal topics (repartition, changelog, alignment) — and the
 *      sinks or the dead-letter topic only when asked;
 *   3. deletes the local state directory `<processing.stateDir>/<app>`.
 * A plan is computed first (it reads only) and printed; `--dry-run` stops there.
 */

/** Where the source offsets go. */
export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'datetime'; readonly timestampMs: number };

export interface ResetOptions {
  readonly target: ResetTarget;
  /** Delete the sink topics too (they are the user's: off unless asked). */
  readonly deleteSinks?: boolean;
  /** Delete the dead-letter topic too (off unless asked). */
  readonly deleteDeadLetterTopic?: boolean;
}

/** A topic the reset deletes, and why it belongs to the application. */
export interface TopicToDelete {
  readonly topic: string;
  readonly purpose: string;
}

/** What a reset will do; computed by {@link planApplicationReset} without changing anything. */
export interface ResetPlan {
  readonly app: string;
  readonly target: ResetTarget;
  /** Internal topics (and sinks / DLQ when asked) that exist and will be deleted. */
  readonly deleteTopics: readonly TopicToDelete[];
  /** Topics of the application that do not exist (nothing to delete). */
  readonly absentTopics: readonly string[];
  /** The group's new committed offsets, per source partition. */
  readonly offsets: readonly TopicPartitionOffset[];
  /** The local state directory (`<stateDir>/<app>`) and whether it exists here. */
  readonly stateDir: string;
  readonly stateDirExists: boolean;
}

/** The application still runs: the group has active members. Retrying after they stop helps. */
export class ApplicationRunningError extends TributaryError {
  readonly retriable = true;

  constructor(readonly group: GroupDescription) {
    super(`application ${group.groupId} is running: its consumer group is ${group.state} with ${group.members.length} active member(s): ` +
      `${group.members.map((m) => `${m.clientId}@${m.clientHost} (${m.memberId})`).join(', ')}; stop every instance (and wait for the session timeout after a crash), then reset`);
  }
}

/** Every topic the application owns besides its sources, with why (sinks and DLQ only when asked). */
export function applicationTopics(topology: CompiledTopology, options: Pick<ResetOptions, 'deleteSinks' | 'deleteDeadLetterTopic'>): TopicToDelete[] {
  const topics: TopicToDelete[] = [];
  for (const r of topology.repartitionTopics) topics.push({ topic: r.topic, purpose: `repartition topic of step ${r.forStep}` });
  for (const store of Object.values(topology.stores)) {
    if (store.changelog && !store.global) topics.push({ topic: store.changelogTopic, purpose: `changelog of store ${store.name}` });
  }
  topics.push({ topic: alignmentTopicName(topology.name), purpose: 'alignment (event-time frontiers)' });
  if (options.deleteSinks) for (const sink of Object.values(topology.sinks)) topics.push({ topic: sink.topic, purpose: `sink ${sink.name}` });
  if (options.deleteDeadLetterTopic) topics.push({ topic: topology.processing.deadLetterTopic, purpose: 'dead-letter topic' });
  const seen = new Set<string>();
  return topics.filter((t) => !seen.has(t.topic) && seen.add(t.topic));
}

/** The user topics the application's consumer group reads (global stores' topics are read without the group). */
export function groupSourceTopics(topology: CompiledTopology): string[] {
  const read = new Set(topology.subTopologies.flatMap((s) => s.sourceTopics));
  const internal = new Set(topology.repartitionTopics.map((r) => r.topic));
  return [...new Set(Object.values(topology.sources).map((s) => s.topic))].filter((t) => read.has(t) && !internal.has(t)).sort();
}

/**
 * Reads what a reset would change. Throws {@link ApplicationRunningError} when the
 * group has active members: offsets of a live group cannot be set, and a live
 * instance would write to the topics being deleted.
 */
export async function planApplicationReset(topology: CompiledTopology, admin: KafkaAdmin, options: ResetOptions): Promise<ResetPlan> {
  const group = await admin.describeGroup(topology.name);
  if (group.members.length > 0) throw new ApplicationRunningError(group);

  const existing = new Set(await admin.listTopics());
  const owned = applicationTopics(topology, options);
  const offsets: TopicPartitionOffset[] = [];
  const sources = groupSourceTopics(topology);
  for (const topic of sources) {
    if (!existing.has(topic)) continue;
    if (options.target.kind === 'datetime') {
      for (const o of await admin.offsetsForTimestamp(topic, options.target.timestampMs)) offsets.push({ topic, partition: o.partition, offset: o.offset });
    } else {
      const latest = options.target.kind === 'latest';
      for (const o of await admin.topicOffsets(topic)) offsets.push({ topic, partition: o.partition, offset: latest ? o.high : o.low });
    }
  }
  const stateDir = path.join(topology.processing.stateDir, topology.name);
  return {
    app: topology.name,
    target: options.target,
    deleteTopics: owned.filter((t) => existing.has(t.topic)),
    absentTopics: [...owned.filter((t) => !existing.has(t.topic)).map((t) => t.topic), ...sources.filter((t) => !existing.has(t))],
    offsets: offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    stateDir,
    stateDirExists: await fs.stat(stateDir).then((s) => s.isDirectory(), () => false),
  };
}

/** The plan as lines for a person: what will be (or would be) done. */
export function describeResetPlan(plan: ResetPlan): string[] {
  const target = plan.target.kind === 'datetime' ? `the first record at or after ${new Date(plan.target.timestampMs).toISOString()}` : `the ${plan.target.kind} offset`;
  const lines = [`reset of application ${plan.app} (consumer group ${plan.app}, no active members)`];
  lines.push(`  source offsets -> ${target}:`);
  if (plan.offsets.length === 0) lines.push('    (no source topic exists)');
  for (const o of plan.offsets) lines.push(`    ${o.topic}[${o.partition}] -> ${o.offset}`);
  lines.push('  delete topics:');
  if (plan.deleteTopics.length === 0) lines.push('    (none exists)');
  for (const t of plan.deleteTopics) lines.push(`    ${t.topic} (${t.purpose})`);
  if (plan.absentTopics.length > 0) lines.push(`  absent (nothing to do): ${plan.absentTopics.join(', ')}`);
  lines.push(`  delete local state: ${plan.stateDir}${plan.stateDirExists ? '' : ' (absent here)'}`);
  return lines;
}

/**
 * Carries out a plan: offsets first (the step that fails when an instance came back
 * since the plan was made, before anything is deleted), then topics, then local state.
 */
export async function executeApplicationReset(plan: ResetPlan, admin: KafkaAdmin): Promise<void> {
  const group = await admin.describeGroup(plan.app);
  if (group.members.length > 0) throw new ApplicationRunningError(group);
  if (plan.offsets.length > 0) await admin.setGroupOffsets(plan.app, plan.offsets);
  await admin.deleteTopics(plan.deleteTopics.map((t) => t.topic));
  await fs.rm(plan.stateDir, { recursive: true, force: true });
}
