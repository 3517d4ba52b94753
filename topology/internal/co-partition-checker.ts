import type { CompiledTopology } from '../compiled-topology';
import type { LintProblem } from '../lint-problem';
import type { CheckedDocument } from './checked-document';

/**
 * What the compiled graph shows about co-partitioning that the file alone
 * does not: a `partitions:` on a step that gets no repartition topic (a
 * setting that would do nothing), and user sources read by one task whose
 * keys are written in different formats (equal keys would not meet on equal
 * partitions). Partition counts themselves are checked at start-up, against
 * the broker (runtime/kafka/partition-plan.ts).
 */
export function coPartitionProblems(topology: CompiledTopology, doc: CheckedDocument): LintProblem[] {
  const problems: LintProblem[] = [];
  const report = (node: Parameters<CheckedDocument['positionOf']>[0], message: string): void => {
    problems.push({ file: topology.file, ...doc.positionOf(node), kind: 'option', message });
  };
  const repartitioned = new Set(topology.repartitionTopics.map((r) => r.forStep));
  for (const p of doc.pipelines.values()) {
    for (const step of p.steps) {
      if (step.partitions === undefined || repartitioned.has(step.id)) continue;
      report(step.node.items.find((i) => (i.key as { value?: unknown }).value === 'partitions') ?? step.node,
        `step '${step.id}' gets no repartition topic (only a stateful step behind a key change does), so 'partitions' would do nothing`);
    }
  }
  for (const sub of topology.subTopologies) {
    const formats = new Map(sub.sources.map((s) => [s, topology.sources[s].key.format]));
    if (new Set(formats.values()).size < 2) continue;
    const [first] = sub.sources;
    for (const name of sub.sources.slice(1)) {
      if (formats.get(name) === formats.get(first)) continue;
      const reader = [...doc.pipelines.values()].find((p) => p.from.includes(name));
      report(reader ? reader.fromNodes[reader.from.indexOf(name)] : undefined,
        `sources '${first}' (key ${formats.get(first)}) and '${name}' (key ${formats.get(name)}) feed one task, so their keys must co-partition: give them the same key format`);
    }
  }
  return problems;
}
