import type { CompiledTopology } from '../../topology/compiled-topology';

/**
 * The input topics whose partitions are kept within `processing.maxEventTimeSkew` of the other
 * tasks' (event-time-aligner.ts): those of sub-topologies that write a repartition topic, whose
 * tasks' records merge in the tasks downstream. A window behind a repartition needs that bound
 * over a backlog; a sub-topology whose outputs go only to sinks does not, and holding its lanes
 * back would only make them fetch the held records again.
 */
export function crossTaskAlignedTopics(topology: CompiledTopology): ReadonlySet<string> {
  const upstream = new Set(topology.repartitionTopics.map((r) => r.fromSubTopology));
  return new Set(topology.subTopologies.filter((s) => upstream.has(s.id)).flatMap((s) => s.sourceTopics));
}

/** Whether a lane (`topic/partition`) is aligned across tasks, given {@link crossTaskAlignedTopics}. */
export function laneAlignsAcrossTasks(topics: ReadonlySet<string>): (lane: string) => boolean {
  return (lane) => topics.has(lane.slice(0, lane.lastIndexOf('/')));
}
