import type { Node } from 'yaml';
import type { CompiledSource, CompiledTopology } from '../compiled-topology';
import type { LintProblem } from '../lint-problem';
import type { CheckedDocument, CheckedPipeline, CheckedStep } from './checked-document';
import { didYouMean } from './did-you-mean';
import type { ProblemSink } from './problem-sink';
import { nodeAt } from './spec-checker';

/** The YAML node of one option of a step, in the compact or the long form. */
export function optionNode(step: CheckedStep, option: string): Node | undefined {
  return nodeAt(step.node, [step.operator, option]) ?? nodeAt(step.node, ['options', option]);
}

/**
 * A join tells its sides apart by `rightTopic`: the topic a record was read
 * from. A topic that no source feeding the step's pipeline reads (a typo, a
 * source's name instead of its topic) makes every record a left record, and
 * the join emits nothing; reported with the topics that do feed it.
 * `edges` are the pipeline-to-pipeline routes (from, to, branch, merge).
 */
export function checkRightTopics(
  pipelines: ReadonlyMap<string, CheckedPipeline>, sources: ReadonlyMap<string, CompiledSource>,
  edges: ReadonlyArray<{ from: string; to: string }>, sink: ProblemSink,
): void {
  const into = new Map<string, string[]>();
  for (const e of edges) { const list = into.get(e.to); if (list) list.push(e.from); else into.set(e.to, [e.from]); }
  // Breadth-first over everything upstream (no recursion: a chain of pipelines may be long).
  const topicsInto = (name: string): Set<string> => {
    const topics = new Set<string>();
    const seen = new Set<string>([name]);
    const queue = [name];
    for (let i = 0; i < queue.length; i++) {
      const current = queue[i];
      const upstream = [...(pipelines.get(current)?.from ?? []), ...(into.get(current) ?? [])];
      for (const ref of upstream) {
        const source = sources.get(ref);
        if (source) topics.add(source.topic);
        else if (pipelines.has(ref) && !seen.has(ref)) { seen.add(ref); queue.push(ref); }
      }
    }
    return topics;
  };
  for (const p of pipelines.values()) {
    for (const step of p.steps) {
      const topic = step.options.rightTopic;
      if (typeof topic !== 'string' || !step.spec?.options.rightTopic) continue;
      const topics = topicsInto(p.name);
      if (topics.has(topic)) continue;
      const node = optionNode(step, 'rightTopic') ?? step.node;
      const named = sources.get(topic);
      const list = [...topics].sort().map((t) => `'${t}'`).join(', ');
      if (named && named.topic !== topic) {
        sink.report(node, 'unknown-reference', `step '${step.id}': rightTopic takes a topic, and '${topic}' is a source; its topic is '${named.topic}'`);
      } else if (topics.size === 0) {
        sink.report(node, 'unknown-reference', `step '${step.id}': rightTopic '${topic}' is not a topic read by a source, so no record would be a right record`);
      } else {
        sink.report(node, 'unknown-reference', `step '${step.id}': rightTopic '${topic}' is not a topic that feeds pipeline '${p.name}' (its topics: ${list}), so no record would be a right record${didYouMean(topic, topics)}`);
      }
    }
  }
}

/**
 * Behind a key change a join reads its records back from its repartition
 * topic, so each record's topic is that topic and `rightTopic` matches none:
 * the join would emit nothing. Found on the compiled graph, where
 * repartition topics are known.
 */
export function rightTopicRepartitionProblems(topology: CompiledTopology, doc: CheckedDocument): LintProblem[] {
  const repartitioned = new Map(topology.repartitionTopics.map((r) => [r.forStep, r.topic]));
  const problems: LintProblem[] = [];
  for (const p of doc.pipelines.values()) {
    for (const step of p.steps) {
      const topic = repartitioned.get(step.id);
      if (typeof step.options.rightTopic !== 'string' || topic === undefined || !step.spec?.options.rightTopic) continue;
      problems.push({
        file: topology.file, ...doc.positionOf(optionNode(step, 'rightTopic') ?? step.node), kind: 'option',
        message: `step '${step.id}' comes after a key change, so it reads every record from its repartition topic '${topic}' and rightTopic matches none; tell the sides apart with 'right' (an expression, e.g. has(value.clickId))`,
      });
    }
  }
  return problems;
}
