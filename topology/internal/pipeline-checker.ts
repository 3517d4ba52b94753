import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { OperatorSpec } from '../../operators/operator-spec';
import type { CompiledSink, CompiledSource, CompiledStore, ErrorPolicy } from '../compiled-topology';
import type { CheckedPipeline, CheckedStep } from './checked-document';
import { didYouMean } from './did-you-mean';
import { checkTopicName } from './kafka-names';
import { checkRightTopics } from './join-side-checker';
import { propagateTypes } from './type-propagation';
import { checkChainDepth } from './chain-depth';
import { builtinByName, resolveOperator } from './operator-resolver';
import type { ProblemSink } from './problem-sink';
import { checkFields, describeNode, emptyFindings, keyText, nodeAt, pairOf, type CheckFindings } from './spec-checker';
import { repartitionTopicName } from '../internal-topic-names';

type Obj = Record<string, unknown>;

interface PipelineInputs {
  readonly root: YAMLMap;
  readonly config: Obj;
  readonly dir: string;
  readonly sink: ProblemSink;
  readonly sources: ReadonlyMap<string, CompiledSource>;
  readonly sinks: ReadonlyMap<string, CompiledSink>;
  readonly stores: ReadonlyMap<string, CompiledStore>;
  readonly findings: CheckFindings;
}

/**
 * Checks pipelines and their steps: names and ids (one namespace with sources
 * and sinks), `from`/`to` references, operators and their options, expressions
 * (against the types each step receives: type-propagation.ts) and cycles.
 */
export function checkPipelines(input: PipelineInputs): Map<string, CheckedPipeline> {
  const { root, config, dir, sink, sources, sinks } = input;
  const pipelines = new Map<string, CheckedPipeline>();
  const pipelinesNode = nodeAt(root, ['pipelines']);
  const rawPipelines = (typeof config.pipelines === 'object' && config.pipelines !== null ? config.pipelines : {}) as Record<string, Obj>;
  const names = new Map<string, { what: string; node: Node }>();
  const claim = (name: string, what: string, node: Node | undefined): void => {
    const first = names.get(name);
    if (first && node) {
      const at = sink.position(first.node);
      sink.report(node, 'duplicate', `duplicate name '${name}': already used by ${first.what} at line ${at.line}, column ${at.col}`);
    } else if (node) {
      names.set(name, { what, node });
    }
  };
  for (const name of sources.keys()) claim(name, `source '${name}'`, pairOf(nodeAt(root, ['sources']), name)?.key as Node);
  for (const name of sinks.keys()) claim(name, `sink '${name}'`, pairOf(nodeAt(root, ['sinks']), name)?.key as Node);
  // Each pipeline's pair by name, once (the first of duplicates, as pairOf finds): a lookup per name is quadratic.
  const pipelinePairs = new Map<string, Pair>();
  if (isMap(pipelinesNode)) for (const pair of pipelinesNode.items) { const k = keyText(pair); if (k !== undefined && !pipelinePairs.has(k)) pipelinePairs.set(k, pair); }
  for (const name of Object.keys(rawPipelines)) claim(name, `pipeline '${name}'`, pipelinePairs.get(name)?.key as Node);

  const builtins = builtinByName();
  for (const [name, raw] of Object.entries(rawPipelines)) {
    const pair = pipelinePairs.get(name);
    const node = (pair?.value ?? undefined) as Node | undefined;
    if (!pair) continue;
    const from = ((raw?.from ?? []) as unknown[]).map(String);
    const to = ((raw?.to ?? []) as unknown[]).map(String);
    const listNodes = (key: string, n: number): Node[] => Array.from({ length: n }, (_, i) => nodeAt(node, [key, i]) ?? nodeAt(node, [key]) as Node);
    const steps: CheckedStep[] = [];
    ((raw?.steps ?? []) as unknown[]).forEach((_, i) => {
      const parsed = parseStep(nodeAt(node, ['steps', i]), `pipelines.${name}.steps[${i}]`, sink);
      if (!parsed) return;
      claim(parsed.id, `step '${parsed.id}'`, parsed.idNode);
      if (!/^[A-Za-z0-9._-]+$/.test(parsed.id)) sink.report(parsed.idNode, 'option', `step id '${parsed.id}' may hold only letters, digits, '.', '_' and '-' (it names topics)`);
      const step = checkStep(parsed, name, dir, sink, input.findings, builtins);
      steps.push(step);
      // A stateful step behind a key change reads `<app>-<id>-repartition`; the id's characters are checked above.
      if (step.spec?.stateful && typeof config.name === 'string' && /^[A-Za-z0-9._-]+$/.test(config.name) && /^[A-Za-z0-9._-]+$/.test(parsed.id)) {
        checkTopicName(repartitionTopicName(String(config.name), parsed.id), `the repartition topic that step '${parsed.id}' reads behind a key change`, parsed.idNode, sink);
      }
    });
    pipelines.set(name, { name, from, to, steps, pair, fromNodes: listNodes('from', from.length), toNodes: listNodes('to', to.length) });
  }

  // What a name that is not of the kind asked for is, when the file declares it as something else.
  const otherKind = (ref: string): string | undefined => {
    const what = names.get(ref)?.what;
    return what ? `'${ref}' is ${what.startsWith('step') ? 'a step id' : `a ${what.split(' ')[0]}`}` : input.stores.has(ref) ? `'${ref}' is a store` : undefined;
  };
  for (const p of pipelines.values()) {
    p.from.forEach((ref, i) => {
      if (!sources.has(ref) && !pipelines.has(ref)) {
        const other = otherKind(ref);
        sink.report(p.fromNodes[i], 'unknown-reference', other
          ? `pipeline '${p.name}' reads '${ref}', but ${other}: 'from' names sources or pipelines`
          : `pipeline '${p.name}' reads unknown source or pipeline '${ref}'${didYouMean(ref, [...sources.keys(), ...pipelines.keys()])}`);
      }
    });
    p.to.forEach((ref, i) => {
      if (!sinks.has(ref) && !pipelines.has(ref)) {
        const other = otherKind(ref);
        sink.report(p.toNodes[i], 'unknown-reference', other
          ? `pipeline '${p.name}' writes to '${ref}', but ${other}: 'to' names sinks or pipelines`
          : `pipeline '${p.name}' writes to unknown sink or pipeline '${ref}'${didYouMean(ref, [...sinks.keys(), ...pipelines.keys()])}`);
      }
    });
  }
  const edges = pipelineEdges(pipelines);
  const backEdges = reportCycles(pipelines, edges, sink);
  reportInputless(pipelines, edges, sink);
  checkStoreUse(pipelines, input.stores, sink);
  // A chain too deep to run: its expressions and types are not checked (they would cost seconds on such a file).
  if (!checkChainDepth(pipelines, edges, backEdges, sink)) return pipelines;
  const types = propagateTypes({ pipelines, sources, stores: input.stores, edges, expressionsOf: (node) => expressionsByStep.get(node) ?? [], sink });
  for (const [step, t] of types) step.types = t;
  checkRightTopics(pipelines, sources, edges, sink);
  return pipelines;
}

/** A step's own keys, before its operator is resolved. */
interface ParsedStep {
  readonly id: string;
  readonly idNode: Node;
  readonly operator: string;
  readonly operatorNode: Node;
  readonly optionsNode: Node | undefined;
  readonly onError: ErrorPolicy;
  readonly partitions?: number;
  readonly node: YAMLMap;
}

const stepKeys = ['id', 'operator', 'options', 'onError', 'description', 'partitions'];

/**
 * Reads a step in either form: compact `{id, filter: {expression: ...}}` (the
 * one key that is not a step key names the operator) or long
 * `{id, operator: filter, options: {...}}`.
 */
function parseStep(stepNode: Node | undefined, where: string, sink: ProblemSink): ParsedStep | undefined {
  if (!isMap(stepNode)) {
    sink.report(stepNode, 'wrong-type', `${where} must be a mapping with an id and an operator, found ${describeNode(stepNode)}`);
    return undefined;
  }
  let id: string | undefined;
  let idNode: Node | undefined;
  let operatorPair: { name: string; node: Node } | undefined;
  let longOptions: Node | undefined;
  let onError: ErrorPolicy = 'dead-letter';
  let partitions: number | undefined;
  const others: Array<{ name: string; key: Node; value: Node | undefined }> = [];
  let bad = false;
  for (const pair of stepNode.items) {
    const key = pair.key as Node;
    const value = (pair.value ?? undefined) as Node | undefined;
    const name = keyText(pair);
    if (name === undefined) { sink.report(key, 'wrong-type', `${where} keys must be strings`); bad = true; continue; }
    const text = isScalar(value) && (typeof value.value === 'string' || typeof value.value === 'number') ? String(value.value) : undefined;
    switch (name) {
      case 'id':
        if (text === undefined) { sink.report(value ?? key, 'wrong-type', `${where}.id must be a string, found ${describeNode(value)}`); bad = true; }
        else { id = text; idNode = value; }
        break;
      case 'operator':
        if (text === undefined) { sink.report(value ?? key, 'wrong-type', `${where}.operator must be a string, found ${describeNode(value)}`); bad = true; }
        else operatorPair = { name: text, node: value as Node };
        break;
      case 'options': longOptions = value; break;
      case 'onError':
        if (text === undefined || !['dead-letter', 'skip', 'fail'].includes(text)) {
          sink.report(value ?? key, 'option', `${where}.onError must be one of dead-letter, skip, fail, found ${describeNode(value)}${text ? didYouMean(text, ['dead-letter', 'skip', 'fail']) : ''}`);
        } else onError = text as ErrorPolicy;
        break;
      case 'description':
        if (text === undefined) sink.report(value ?? key, 'wrong-type', `${where}.description must be a string`);
        break;
      case 'partitions': {
        const n = isScalar(value) ? value.value : undefined;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) sink.report(value ?? key, 'wrong-type', `${where}.partitions must be an integer of at least 1, found ${describeNode(value)}`);
        else partitions = n;
        break;
      }
      default: others.push({ name, key, value });
    }
  }
  const stepName = id ? `step '${id}'` : where;
  let operator: string | undefined;
  let operatorNode: Node | undefined;
  let optionsNode: Node | undefined;
  if (operatorPair) {
    ({ name: operator, node: operatorNode } = operatorPair);
    optionsNode = longOptions;
    for (const o of others) sink.report(o.key, 'unknown-key', `unknown key '${o.name}' in ${stepName}${didYouMean(o.name, stepKeys)}`);
  } else if (others.length > 0) {
    operator = others[0].name;
    operatorNode = others[0].key;
    optionsNode = others[0].value;
    if (longOptions !== undefined) {
      sink.report(pairOf(stepNode, 'options'), 'unknown-key', `${stepName}: 'options' belongs to the long form (operator: ${operator}); in the compact form options go under '${operator}:'`);
    }
    for (const o of others.slice(1)) {
      sink.report(o.key, 'unknown-key', `unknown key '${o.name}' in ${stepName}: a step has one operator ('${operator}')${didYouMean(o.name, stepKeys)}`);
    }
  } else if (!bad) {
    sink.report(stepNode, 'missing-key', `${stepName} has no operator: write '<operator>: {options}' or 'operator: <name>'`);
  }
  if (id === undefined && !bad) sink.report(stepNode, 'missing-key', `${where} is missing required key 'id'`);
  if (id === undefined || operator === undefined || operatorNode === undefined || idNode === undefined) return undefined;
  return { id, idNode, operator, operatorNode, optionsNode, onError, ...(partitions !== undefined ? { partitions } : {}), node: stepNode };
}

function checkStep(
  parsed: ParsedStep, pipeline: string, dir: string, sink: ProblemSink,
  findings: CheckFindings, builtins: Map<string, OperatorSpec>,
): CheckedStep {
  const { id, operator, onError, node: stepNode } = parsed;
  const partitions = parsed.partitions !== undefined ? { partitions: parsed.partitions } : {};
  const resolution = resolveOperator(operator, dir);
  if ('problem' in resolution) {
    const hint = resolution.problem === 'unknown-operator' ? didYouMean(operator, [...builtins.keys(), ...stepKeys]) : '';
    sink.report(parsed.operatorNode, resolution.problem, `${resolution.message}${hint}`);
    return { id, pipeline, operator, options: {}, onError, references: [], node: stepNode, ...partitions };
  }
  const spec = resolution.spec;
  const optionsNode = parsed.optionsNode;
  const stepFindings = emptyFindings(dir);
  let options: Obj = {};
  const where = `steps.${id}`;
  if (optionsNode !== undefined && !isMap(optionsNode) && !(isScalar(optionsNode) && optionsNode.value === null)) {
    sink.report(optionsNode, 'wrong-type', `${where} must be a mapping, found ${describeNode(optionsNode)}`);
  } else {
    const before = sink.problems.length;
    const target = isMap(optionsNode) ? optionsNode : undefined;
    options = checkFields(target, { kind: 'object', description: spec.summary, fields: spec.options }, sink, stepFindings, where, {});
    // A missing `options:` block is reported at the step, where the user will add it.
    for (let i = before; i < sink.problems.length; i++) {
      const p = sink.problems[i];
      if (!target && p.kind === 'missing-key') sink.problems[i] = { ...p, ...sink.position(parsed.operatorNode) };
    }
    if (sink.problems.length === before && spec.check) {
      let problems: ReturnType<NonNullable<OperatorSpec['check']>> = [];
      try {
        problems = spec.check(options);
      } catch (err) {
        problems = [{ path: [], message: `options check failed: ${(err as Error).message}` }];
      }
      for (const p of problems) sink.report(nodeAt(optionsNode, p.path) ?? optionsNode ?? stepNode, 'option', `${operator}: ${p.message}`);
    }
  }
  findings.references.push(...stepFindings.references);
  findings.modules.push(...stepFindings.modules);
  expressionsByStep.set(stepNode, stepFindings.expressions);
  return { id, pipeline, operator, spec, options, onError, references: stepFindings.references, node: stepNode, ...partitions };
}

const expressionsByStep = new WeakMap<YAMLMap, CheckFindings['expressions']>();

interface PipelineEdge { readonly from: string; readonly to: string; readonly node: Node }

/** Pipeline-to-pipeline edges with the YAML node that makes each (found once: the checks below share them). */
function pipelineEdges(pipelines: ReadonlyMap<string, CheckedPipeline>): PipelineEdge[] {
  const edges: PipelineEdge[] = [];
  for (const p of pipelines.values()) {
    p.from.forEach((ref, i) => { if (pipelines.has(ref)) edges.push({ from: ref, to: p.name, node: p.fromNodes[i] }); });
    p.to.forEach((ref, i) => { if (pipelines.has(ref)) edges.push({ from: p.name, to: ref, node: p.toNodes[i] }); });
    for (const step of p.steps) {
      for (const ref of step.references) {
        if (ref.kind !== 'pipeline' || !pipelines.has(ref.name)) continue;
        edges.push(step.spec?.name === 'merge' ? { from: ref.name, to: p.name, node: ref.node } : { from: p.name, to: ref.name, node: ref.node });
      }
    }
  }
  return edges;
}

/** Pipelines a cycle message names at each end of a longer cycle (a 20,000-pipeline cycle is not listed whole). */
const CYCLE_SHOWN = 5;

/**
 * Depth-first without recursion (a chain of thousands of pipelines would
 * overflow the stack). Each back edge is one cycle, reported once per pair
 * of pipelines; the position of each open pipeline on the path is kept by
 * name, so a back edge costs only the names its message shows, not the
 * cycle's length (many back edges into a long chain stay linear). Returns
 * the back edges: without them the pipelines form no cycle.
 */
function reportCycles(pipelines: ReadonlyMap<string, CheckedPipeline>, edges: readonly PipelineEdge[], sink: ProblemSink): Set<PipelineEdge> {
  const backEdges = new Set<PipelineEdge>();
  const out = new Map<string, PipelineEdge[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list) list.push(e); else out.set(e.from, [e]);
  }
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const reported = new Set<string>();
  for (const root of pipelines.keys()) {
    if (done.has(root)) continue;
    const frames: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    onPath.set(root, 0);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const edge = out.get(frame.name)?.[frame.next++];
      if (!edge) {
        frames.pop();
        onPath.delete(frame.name);
        done.add(frame.name);
        continue;
      }
      const at = onPath.get(edge.to);
      if (at !== undefined) {
        backEdges.add(edge);
        const id = `${edge.from}\u0000${edge.to}`;
        if (!reported.has(id)) {
          reported.add(id);
          sink.report(edge.node, 'cycle', `pipelines form a cycle${cycleText(frames, at)}`);
        }
      } else if (!done.has(edge.to)) {
        onPath.set(edge.to, frames.length);
        frames.push({ name: edge.to, next: 0 });
      }
    }
  }
  return backEdges;
}

/** ': a -> b -> a', or for a long cycle its first and last pipelines and how many are left out between. */
function cycleText(frames: ReadonlyArray<{ name: string }>, from: number): string {
  const length = frames.length - from;
  const names = (start: number, end: number): string[] => frames.slice(start, end).map((f) => f.name);
  const first = frames[from].name;
  if (length <= 2 * CYCLE_SHOWN) return `: ${[...names(from, frames.length), first].join(' -> ')}`;
  const left = length - 2 * CYCLE_SHOWN;
  return ` of ${length.toLocaleString('en-US')} pipelines: ${names(from, from + CYCLE_SHOWN).join(' -> ')} -> … (${left.toLocaleString('en-US')} more) … -> ${[...names(frames.length - CYCLE_SHOWN, frames.length), first].join(' -> ')}`;
}

/**
 * A store is the namespace of one step's state: operators lay out their keys
 * without a step prefix (`s|<key>`, `t|<time>|<key>`, `m|streamTime`,
 * `m|timerFloor`), so two steps writing one store would overwrite each other's
 * entries and share one stream time and one timer index. Every store option
 * of every operator, built-in or a custom module's spec, is a writer unless
 * declared `access: 'read'` (a lookup table, scoring features), and a store
 * has one writer, except that custom options all declared `access: 'shared'`
 * (operators written to one key layout, such as the flagship's) may write
 * one store together.
 */
function checkStoreUse(pipelines: ReadonlyMap<string, CheckedPipeline>, stores: ReadonlyMap<string, CompiledStore>, sink: ProblemSink): void {
  const owners = new Map<string, { step: string; node: Node; shared: boolean }>();
  for (const p of pipelines.values()) {
    for (const step of p.steps) {
      if (!step.spec) continue;
      for (const ref of step.references) {
        const store = ref.kind === 'store' ? stores.get(ref.name) : undefined;
        // A global store's own rules (global-store-checker.ts) report what is wrong with it.
        if (!store || store.global) continue;
        if (ref.access === 'read') continue;
        const first = owners.get(ref.name);
        if (!first) { owners.set(ref.name, { step: step.id, node: ref.node, shared: ref.access === 'shared' }); continue; }
        if (first.step === step.id || (first.shared && ref.access === 'shared')) continue;
        const at = sink.position(first.node);
        sink.report(ref.node, 'duplicate', `store '${ref.name}' already holds the state of step '${first.step}' (line ${at.line}, column ${at.col}); each stateful step needs its own store (steps that only read it, such as join-stream-table's table, may share it; custom operators may write one together when all declare access: 'shared')`);
      }
    }
  }
}

function reportInputless(pipelines: ReadonlyMap<string, CheckedPipeline>, edges: readonly PipelineEdge[], sink: ProblemSink): void {
  const fed = new Set(edges.map((e) => e.to));
  for (const p of pipelines.values()) {
    if (p.from.length === 0 && !fed.has(p.name)) {
      sink.report(p.pair, 'missing-key', `pipeline '${p.name}' has no input: give it 'from' (a source or pipeline) or route records to it`);
    }
  }
}
