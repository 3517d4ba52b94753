import type { Node, YAMLMap } from 'yaml';
import { checkExpression } from '../../operators/cel-expression';
import type { OperatorSpec, ResolvedOptions } from '../../operators/operator-spec';
import {
  asStored, avroStaticType, declaredType, DYN, sameType, scalar, type OutputTypeContext, type RecordTypes, type StaticType,
} from '../../operators/value-type';
import type { CompiledSource, CompiledStore, SerdeConfig } from '../compiled-topology';
import type { CheckedPipeline, CheckedStep } from './checked-document';
import { reportExpression } from './expression-report';
import { isModuleReference } from './operator-resolver';
import type { ProblemSink } from './problem-sink';
import type { CheckFindings } from './spec-checker';
import { kahnOrder } from './pipeline-order';

/** Records arriving at a pipeline from one input: their types, and the source topics they may come from (undefined: unknown). */
interface Arrival {
  readonly types: RecordTypes;
  readonly topics: ReadonlySet<string> | undefined;
  /** The key changed since the last repartition (a stateful step behind it reads through a topic). */
  readonly keyChanged: boolean;
}

/** What the propagation needs of the checked file. */
export interface TypeInputs {
  readonly pipelines: ReadonlyMap<string, CheckedPipeline>;
  readonly sources: ReadonlyMap<string, CompiledSource>;
  readonly stores: ReadonlyMap<string, CompiledStore>;
  readonly edges: ReadonlyArray<{ from: string; to: string }>;
  readonly expressionsOf: (step: YAMLMap) => CheckFindings['expressions'];
  readonly sink: ProblemSink;
}

/**
 * Types every step's records and checks every step's expressions against
 * them: a pipeline starts with the types its inputs agree on (a source's
 * from its key and value formats and Avro schemas), and each step's output
 * types come from its operator's `output` (OperatorSpec.output), given the
 * types its expressions evaluate to. Pipelines are visited upstream first
 * (Kahn's order over the pipeline graph, no recursion), so a file of n
 * pipelines costs O(n) here; pipelines in a cycle (reported elsewhere) get
 * dyn for the inputs inside it. Returns each step's output types by step.
 */
export function propagateTypes(input: TypeInputs): Map<CheckedStep, RecordTypes> {
  const { pipelines, sources, stores, sink } = input;
  const outputs = new Map<string, Arrival>();
  const pending = new Map<string, Arrival[]>();
  const stepTypes = new Map<CheckedStep, RecordTypes>();
  const arrive = (name: string, arrival: Arrival): void => {
    if (!pipelines.has(name)) return;
    const list = pending.get(name);
    if (list) list.push(arrival); else pending.set(name, [arrival]);
  };
  const sourceArrival = new Map<string, Arrival>();
  for (const s of sources.values()) {
    const key = serdeType(s.key, 'key');
    const value = serdeType(s.value, 'value');
    sourceArrival.set(s.name, { types: { key: key.type, value: value.type, ...(value.note ? { note: `source '${s.name}' ${value.note}` } : {}) }, topics: new Set([s.topic]), keyChanged: false });
  }
  // A table-materialize step's store holds the values it wrote: typed when the step is (its pipeline is visited before readers'; see typeOrder).
  const tableValues = new Map<string, StaticType>();
  const storeValue = (name: string): StaticType => {
    const global = stores.get(name)?.global;
    const source = global ? sourceArrival.get(global.source) : undefined;
    return source ? source.types.value : tableValues.get(name) ?? DYN;
  };

  const visit = (p: CheckedPipeline, inCycle: boolean): void => {
    const arrivals: Arrival[] = [];
    for (const ref of p.from) {
      const a = sourceArrival.get(ref) ?? outputs.get(ref);
      if (a) arrivals.push(a);
      else if (pipelines.has(ref)) arrivals.push(unknownArrival(inCycle ? 'an input in a cycle' : `pipeline '${ref}' has no known type`));
    }
    arrivals.push(...(pending.get(p.name) ?? []));
    let current = merged(arrivals);
    let sidesKnown = true;
    for (const step of p.steps) {
      // A stateful step behind a key change reads its records back from a repartition topic, whose key format need not keep the key's type.
      const at: Arrival = step.spec?.stateful && current.keyChanged
        ? { ...current, types: { ...current.types, key: DYN }, keyChanged: false } : current;
      const expressionTypes = new Map<string, StaticType>();
      const prefix = `steps.${step.id}.`;
      for (const { source, node, where, boolean } of input.expressionsOf(step.node)) {
        const checked = checkExpression(source, { key: at.types.key, value: at.types.value }, { boolean });
        for (const problem of checked.problems) reportExpression(sink, node as Node, problem.offset, problem.message);
        const path = where.startsWith(prefix) ? where.slice(prefix.length) : where;
        expressionTypes.set(path, checked.problems.length > 0 ? DYN : asStored(checked.type));
      }
      // The sides only joins read: worked out when asked (merging the arrivals again per step showed in profiles).
      const known = sidesKnown;
      let sides: { left: StaticType; right: StaticType } | undefined;
      let out = outputTypes(step, at, {
        options: step.options, input: at.types,
        expressionType: (path) => expressionTypes.get(path) ?? DYN,
        get sides() { return sides ??= known ? joinSides(step.options, arrivals) : { left: DYN, right: DYN }; },
        storeValueType: storeValue,
      });
      if (step.spec?.name === 'merge') {
        const merging = step.references.filter((r) => r.kind === 'pipeline').map((r) => outputs.get(r.name) ?? unknownArrival(`pipeline '${r.name}' has no known type`));
        out = merged([at, ...merging]);
      }
      if (out.types.value !== at.types.value) sidesKnown = false;
      // Records a step routes to another pipeline: a branch's as they reached it, any other operator's (a custom side output) of no known type.
      for (const ref of step.references) {
        if (ref.kind !== 'pipeline' || step.spec?.name === 'merge') continue;
        arrive(ref.name, step.spec?.name === 'branch' ? at : unknownArrival(`step '${step.id}' sends records of no declared type here`));
      }
      if (step.spec?.name === 'table-materialize' && typeof step.options.store === 'string') {
        tableValues.set(step.options.store, step.options.value !== undefined ? expressionTypes.get('value') ?? DYN : at.types.value);
      }
      stepTypes.set(step, out.types);
      current = out;
    }
    outputs.set(p.name, current);
    for (const ref of p.to) arrive(ref, current);
  };

  for (const name of typeOrder(pipelines, input.edges)) visit(pipelines.get(name) as CheckedPipeline, false);
  for (const p of pipelines.values()) if (!outputs.has(p.name)) visit(p, true);
  return stepTypes;
}

/** The output of one step from its operator's declaration, with a note where the value is dyn. */
function outputTypes(step: CheckedStep, at: Arrival, context: OutputTypeContext<ResolvedOptions>): Arrival {
  const spec = step.spec as OperatorSpec | undefined;
  const keep = (types: RecordTypes): Arrival => {
    const changed = types.value !== at.types.value;
    const value = changed ? named(types.value, step) : types.value;
    const note = value.kind !== 'dyn' ? undefined : types.note ?? (changed ? undefined : at.types.note);
    return { types: { key: types.key, value, ...(note ? { note } : {}) }, topics: at.topics, keyChanged: at.keyChanged || spec?.changesKey === true };
  };
  if (!spec) return keep({ key: DYN, value: DYN, note: 'the operator is not known' });
  const output = spec.output;
  if (output === undefined) {
    return keep({ key: spec.changesKey ? DYN : at.types.key, value: DYN, note: `${isModuleReference(step.operator) ? `custom operator ${step.operator}` : `operator ${step.operator}`} declares no output type` });
  }
  if (typeof output === 'function') {
    try {
      return keep(output(context));
    } catch (err) {
      return keep({ key: DYN, value: DYN, note: `the operator's output type failed: ${(err as Error).message}` });
    }
  }
  const key = output.key === undefined && !spec.changesKey ? at.types.key : declaredType(output.key, at.types.key, 'key');
  const value = declaredType(output.value, at.types.value, 'value');
  return keep({ key, value, ...(value.kind === 'dyn' && output.value !== 'input' ? { note: output.value === 'dyn' ? 'the operator declares its output dyn' : 'the operator declares no value type' } : {}) });
}

/** A record a step built is named after the step in messages (`in the output of step 'counts'`), unless it declares a schema. */
function named(type: StaticType, step: CheckedStep): StaticType {
  if (type.kind !== 'record' || type.from?.startsWith('schema')) return type;
  return { ...type, from: `the output of step '${step.id}' (${step.operator})` };
}

function unknownArrival(note: string): Arrival {
  return { types: { key: DYN, value: DYN, note }, topics: undefined, keyChanged: false };
}

/** One pipeline's input: the types all its inputs agree on, dyn where they differ. */
function merged(arrivals: readonly Arrival[]): Arrival {
  if (arrivals.length === 0) return unknownArrival('the pipeline has no typed input');
  const [first, ...rest] = arrivals;
  const key = rest.every((a) => sameType(a.types.key, first.types.key)) ? first.types.key : DYN;
  const sameValue = rest.every((a) => sameType(a.types.value, first.types.value));
  const value = sameValue ? first.types.value : DYN;
  const note = value.kind === 'dyn' ? (sameValue ? first.types.note : 'the pipeline\'s inputs have different value types') : undefined;
  const topics = arrivals.every((a) => a.topics !== undefined) ? new Set(arrivals.flatMap((a) => [...a.topics as Set<string>])) : undefined;
  return { types: { key, value, ...(note ? { note } : {}) }, topics, keyChanged: arrivals.some((a) => a.keyChanged) };
}

/**
 * The value types of a join's sides: with `rightTopic`, the inputs whose
 * records come only from that topic are the right side and those that never
 * do the left; with a `right` expression the sides are known only when all
 * inputs have one type. Dyn where that does not tell.
 */
function joinSides(options: ResolvedOptions, arrivals: readonly Arrival[]): { left: StaticType; right: StaticType } {
  const all = merged(arrivals).types.value;
  if (typeof options.rightTopic !== 'string') return { left: all, right: all };
  const topic = options.rightTopic;
  const right = arrivals.filter((a) => a.topics?.size === 1 && a.topics.has(topic));
  const left = arrivals.filter((a) => a.topics !== undefined && !a.topics.has(topic));
  if (right.length + left.length !== arrivals.length) return { left: DYN, right: DYN };
  const side = (list: Arrival[]): StaticType => (list.length > 0 ? merged(list).types.value : DYN);
  return { left: side(left), right: side(right) };
}

/**
 * The order pipelines are typed in: upstream first, and a pipeline that
 * fills a table (table-materialize) before the pipelines that read it, so a
 * join with a non-global table knows the table's value type. Those store
 * edges are only an ordering wish: where they would close a cycle that the
 * pipeline edges do not, the order is by pipeline edges alone (the readers
 * then see the table as dyn).
 */
function typeOrder(pipelines: ReadonlyMap<string, CheckedPipeline>, edges: ReadonlyArray<{ from: string; to: string }>): string[] {
  const writers = new Map<string, string>();
  for (const p of pipelines.values()) {
    for (const step of p.steps) {
      if (step.spec?.name === 'table-materialize' && typeof step.options.store === 'string') writers.set(step.options.store, p.name);
    }
  }
  const storeEdges: Array<{ from: string; to: string }> = [];
  if (writers.size > 0) {
    for (const p of pipelines.values()) {
      for (const step of p.steps) {
        for (const ref of step.references) {
          const writer = ref.kind === 'store' && ref.access === 'read' ? writers.get(ref.name) : undefined;
          if (writer !== undefined && writer !== p.name) storeEdges.push({ from: writer, to: p.name });
        }
      }
    }
  }
  const plain = kahnOrder(pipelines, edges);
  if (storeEdges.length === 0) return plain;
  const withStores = kahnOrder(pipelines, [...edges, ...storeEdges]);
  return withStores.length === plain.length ? withStores : plain;
}

/** The type of keys or values a serde decodes, with why it is dyn where it is. */
function serdeType(serde: SerdeConfig, path: 'key' | 'value'): { type: StaticType; note?: string } {
  switch (serde.format) {
    case 'string': return { type: scalar('string') };
    case 'bytes': return { type: scalar('bytes') };
    case 'json': return { type: DYN, note: `is json: its ${path}s are dyn` };
    case 'avro':
      return serde.schema !== undefined
        ? { type: avroStaticType(serde.schema, path) }
        : { type: DYN, note: 'takes its Avro schema from the registry at run time' };
    case 'protobuf': return { type: DYN, note: `is protobuf: its ${path}s are dyn (the Protobuf JSON mapping)` };
    case 'json-schema': return { type: DYN, note: `is json-schema: its ${path}s are dyn` };
  }
}
