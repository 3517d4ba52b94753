import * as fs from 'node:fs';
import * as path from 'node:path';
import * as avro from 'avsc';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node, type Pair } from 'yaml';
import type { CompiledSink, CompiledSource, CompressionCodec, ErrorPolicy, SerdeConfig, TestRecord, TopologyTestCase, TopologyTestInput } from '../compiled-topology';
import type { SubjectNameStrategy } from '../../schemas/subject-name';
import type { LintProblem } from '../lint-problem';
import { topologySpec } from '../topology-spec';
import type { CheckedDocument, CheckedPipeline } from './checked-document';
import { checkNamedSchema, checkSerde } from './serde-checker';
import { REGISTRY_FORMATS } from '../../schemas/serde';
import { didYouMean } from './did-you-mean';
import { interpolate } from './interpolate';
import { checkBrokers, checkTopicName as checkTopic } from './kafka-names';
import { resolveAliases } from './yaml-aliases';
import { parseYamlFast } from './yaml-fast-parser';
import { resolveMergeKeys } from './yaml-merge-keys';
import { checkNesting, checkTextSize, parserLimitMessage } from './input-limits';
import { placeholderInFlowHint } from './yaml-syntax-hint';
import { checkPipelines } from './pipeline-checker';
import { reportExpression } from './expression-report';
import { checkGlobalStores, compileStores } from './global-store-checker';
import { ProblemSink } from './problem-sink';
import { walkNodes } from './yaml-walk';
import { checkNode, emptyFindings, fieldDefaults, keyText, nodeAt, pairOf, valueOf } from './spec-checker';
import { expressionProblems } from '../../operators/cel-expression';
import { defaultDeadLetterTopicName } from '../internal-topic-names';

type Obj = Record<string, unknown>;

/** Which parser reads the YAML: js-yaml with `yaml` where it cannot ('fast'), or `yaml` alone (the reference). */
export type YamlParserChoice = 'fast' | 'yaml';

/**
 * Checks the text of a topology file completely and reports every problem at
 * once; returns the checked document only when there are none.
 */
export function checkDocument(text: string, file: string, env: NodeJS.ProcessEnv, skipEnvCheck = false, yamlParser: YamlParserChoice = 'fast'): { document?: CheckedDocument; problems: LintProblem[] } {
  const sizeLines = new LineCounter();
  sizeLines.addNewLine(0);
  const sizeSink = new ProblemSink(file, sizeLines);
  if (!checkTextSize(text, sizeSink)) return { problems: sizeSink.problems };
  // js-yaml builds the same tree ~10x faster; `yaml` parses what it refuses or does not mirror, and reports syntax errors.
  const fast = yamlParser === 'fast' ? parseYamlFast(text) : undefined;
  const lines = fast?.lines ?? new LineCounter();
  const doc: Document = fast?.doc ?? parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const sink = new ProblemSink(file, lines, text);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const limit = parserLimitMessage(error.message);
      const hint = limit ? undefined : placeholderInFlowHint(text, error.pos[0]);
      if (hint) {
        // The parser loses the flow collection there: what it reports after it follows from it.
        sink.report(hint.offset, 'syntax', hint.message);
        break;
      }
      sink.report(error.pos[0], limit ? 'limit' : 'syntax', limit ?? error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
    }
    return { problems: sink.problems };
  }
  if (!checkNesting(doc, sink)) return { problems: sink.problems };
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    sink.report(root, 'wrong-type', `a topology file must be a mapping with name, sources and pipelines, found ${root ? 'something else' : 'an empty document'}`);
    return { problems: sink.problems };
  }
  if (!resolveAliases(doc, sink)) return { problems: sink.problems };
  resolveMergeKeys(doc, sink);
  const unresolved: ReadonlySet<Node> = interpolate(doc, env, sink, skipEnvCheck);
  if (skipEnvCheck) sink.suppressWithin([...unresolved].flatMap((n) => (n.range ? [[n.range[0], n.range[1]] as const] : [])));
  reportDuplicateKeys(doc, sink);
  const findings = emptyFindings();
  const config = (checkNode(root, topologySpec, sink, findings, '') ?? {}) as Obj;
  const dir = path.dirname(path.resolve(file));
  const name = typeof config.name === 'string' ? config.name : '';
  const nameOk = /^[A-Za-z0-9._-]+$/.test(name);
  if (name && !nameOk) {
    sink.report(valueOf(root, 'name'), 'option', `name '${name}' may hold only letters, digits, '.', '_' and '-' (it prefixes Kafka topics)`);
  }
  // A value whose ${VAR} has no value is reported once, as 'env'.
  const checkTopicName = (topic: string, what: string, node: Node | undefined): void => {
    if (!node || !unresolved.has(node)) checkTopic(topic, what, node, sink);
  };
  // Topics the application makes from its name; each is checked once the name itself is legal.
  const derivedTopic = (topic: string, what: string, node: Node | Pair | undefined): void => {
    if (nameOk && !unresolved.has(valueOf(root, 'name') as Node)) checkTopic(topic, what, node as Node | undefined, sink);
  };
  const brokersNode = nodeAt(root, ['kafka', 'brokers']);
  const rawBrokers = (config.kafka as Obj | undefined)?.brokers;
  const brokersUnresolved = brokersNode !== undefined && (unresolved.has(brokersNode) || (isSeq(brokersNode) && brokersNode.items.some((i) => unresolved.has(i as Node))));
  const brokers = brokersNode !== undefined && !(isScalar(brokersNode) && brokersNode.value === null) && Array.isArray(rawBrokers) && !brokersUnresolved
    ? checkBrokers(rawBrokers.filter((b): b is string => typeof b === 'string'), brokersNode, sink)
    : brokersUnresolved ? [] : ['127.0.0.1:9092'];

  const registry = (config.schemaRegistry ?? {}) as Obj;
  const globalStrategy = (registry.subjectNameStrategy ?? 'topic') as SubjectNameStrategy;
  const strategyOf = (section: string, entry: string, raw: Obj, key: SerdeConfig, value: SerdeConfig): SubjectNameStrategy => {
    const node = nodeAt(root, [section, entry]);
    const own = raw.subjectNameStrategy as SubjectNameStrategy | undefined;
    const strategy = own ?? globalStrategy;
    const usesRegistry = REGISTRY_FORMATS.includes(key.format) || REGISTRY_FORMATS.includes(value.format);
    if (own !== undefined && !usesRegistry) {
      sink.report(pairOf(node, 'subjectNameStrategy'), 'option', `'subjectNameStrategy' applies only to avro, protobuf and json-schema keys or values; ${section}.${entry} has none`);
    }
    const from = own !== undefined ? `${section}.${entry}.subjectNameStrategy` : 'schemaRegistry.subjectNameStrategy';
    checkNamedSchema(strategy, from, key, nodeAt(node, ['key']), sink);
    checkNamedSchema(strategy, from, value, nodeAt(node, ['value']), sink);
    // Without a registry format there is no subject: the compiled form (and describe) leave the strategy out.
    return usesRegistry ? strategy : 'topic';
  };

  const sources = new Map<string, CompiledSource>();
  for (const [sourceName, raw] of entries(config.sources)) {
    const node = nodeAt(root, ['sources', sourceName]);
    const value = checkSerde(raw.value, nodeAt(node, ['value']), dir, sink);
    const key = checkSerde(raw.key, nodeAt(node, ['key']), dir, sink);
    const strategy = strategyOf('sources', sourceName, raw, key, value);
    if (typeof raw.topic === 'string') checkTopicName(raw.topic, `sources.${sourceName}.topic`, nodeAt(node, ['topic']));
    const ts = (raw.timestamp ?? {}) as Obj;
    const tsNode = nodeAt(node, ['timestamp']);
    if (ts.field !== undefined && ts.expression !== undefined) {
      sink.report(tsNode, 'option', `sources.${sourceName}.timestamp takes either 'field' or 'expression', not both`);
    }
    if (typeof ts.field === 'string' && value.schema !== undefined) {
      const problems = expressionProblems(`value.${ts.field}`, value.schema);
      if (problems.length > 0) sink.report(nodeAt(tsNode, ['field']), 'expression', problems[0].message);
    }
    if (typeof ts.expression === 'string') {
      for (const p of expressionProblems(ts.expression, value.schema)) {
        reportExpression(sink, nodeAt(tsNode, ['expression']), p.offset, p.message);
      }
    }
    sources.set(sourceName, {
      name: sourceName, topic: String(raw.topic ?? ''), key, value,
      timestamp: typeof ts.expression === 'string' ? { kind: 'expression', expression: ts.expression }
        : typeof ts.field === 'string' ? { kind: 'field', field: ts.field } : { kind: 'record' },
      offsetReset: raw.offsetReset === 'latest' ? 'latest' : 'earliest',
      onError: (raw.onError ?? 'dead-letter') as ErrorPolicy,
      ...(strategy !== 'topic' ? { subjectNameStrategy: strategy } : {}),
    });
  }

  const stores = compileStores(config, name, sources);
  for (const store of stores.values()) {
    if (store.changelog) derivedTopic(store.changelogTopic, `the changelog topic of store '${store.name}'`, pairOf(nodeAt(root, ['stores']), store.name));
  }

  const defaultCompression = (config.processing as Obj | undefined)?.compression as CompressionCodec | undefined;
  const sinks = new Map<string, CompiledSink>();
  for (const [sinkName, raw] of entries(config.sinks)) {
    const node = nodeAt(root, ['sinks', sinkName]);
    const value = checkSerde(raw.value, nodeAt(node, ['value']), dir, sink);
    const key = checkSerde(raw.key, nodeAt(node, ['key']), dir, sink);
    const strategy = strategyOf('sinks', sinkName, raw, key, value);
    if (typeof raw.topic === 'string') checkTopicName(raw.topic, `sinks.${sinkName}.topic`, nodeAt(node, ['topic']));
    const compression = (raw.compression as CompressionCodec | undefined) ?? defaultCompression;
    if (typeof raw.keyExpression === 'string') {
      for (const p of expressionProblems(raw.keyExpression, value.schema)) {
        reportExpression(sink, nodeAt(node, ['keyExpression']), p.offset, p.message);
      }
    }
    if (typeof raw.partitions === 'number' && raw.partitions < 1) {
      sink.report(nodeAt(node, ['partitions']), 'option', `sinks.${sinkName}.partitions must be at least 1`);
    }
    sinks.set(sinkName, {
      name: sinkName, topic: String(raw.topic ?? ''), key, value,
      ...(typeof raw.partitions === 'number' ? { partitions: raw.partitions } : {}),
      ...(raw.topicConfig !== undefined && Object.keys(raw.topicConfig as object).length > 0 ? { topicConfig: raw.topicConfig as Record<string, string> } : {}),
      ...(typeof raw.keyExpression === 'string' ? { keyExpression: raw.keyExpression } : {}),
      ...(compression !== undefined ? { compression } : {}),
      ...(strategy !== 'topic' ? { subjectNameStrategy: strategy } : {}),
      ...(raw.latestPerKey === true ? { latestPerKey: true } : {}),
    });
  }

  const pipelines = checkPipelines({ root, config, dir, sink, sources, sinks, stores, findings });
  checkGlobalStores(root, config, sources, stores, pipelines, sink);

  const known = { store: stores, sink: sinks, pipeline: pipelines } as const;
  for (const ref of findings.references) {
    const names = known[ref.kind];
    if (!names.has(ref.name)) {
      // Say what the name is when it names something else of the file ('pin-counts' is a sink).
      const other = sources.has(ref.name) ? 'a source' : sinks.has(ref.name) ? 'a sink' : pipelines.has(ref.name) ? 'a pipeline'
        : stores.has(ref.name) ? 'a store' : stepIds(pipelines).has(ref.name) ? 'a step id' : undefined;
      sink.report(ref.node, 'unknown-reference', other
        ? `'${ref.name}' is ${other}, not a ${ref.kind}${names.size > 0 ? ` (${ref.kind}s: ${[...names.keys()].slice(0, 8).join(', ')})` : ` (the file declares no ${ref.kind}s)`}`
        : `unknown ${ref.kind} '${ref.name}'${didYouMean(ref.name, names.keys())}`);
    }
  }
  for (const mod of findings.modules) {
    if (!fs.existsSync(path.resolve(dir, mod.path))) sink.report(mod.node, 'module', `module '${mod.path}' not found (looked for ${path.resolve(dir, mod.path)})`);
  }
  const tests = checkTests(config.tests, nodeAt(root, ['tests']), sources, sink, lines);
  const deadLetterTopic = (config.processing as Obj | undefined)?.deadLetterTopic;
  if (typeof deadLetterTopic === 'string') checkTopicName(deadLetterTopic, 'processing.deadLetterTopic', nodeAt(root, ['processing', 'deadLetterTopic']));
  else derivedTopic(defaultDeadLetterTopicName(name), 'the dead-letter topic', valueOf(root, 'name'));
  const fetchBytes = (config.processing as Obj | undefined)?.maxPartitionFetchBytes;
  if (typeof fetchBytes === 'number' && fetchBytes < 1024) {
    sink.report(nodeAt(root, ['processing', 'maxPartitionFetchBytes']), 'option', `processing.maxPartitionFetchBytes must be at least 1024 (bytes), got ${fetchBytes}`);
  }
  const instanceId = (config.processing as Obj | undefined)?.groupInstanceId;
  if (typeof instanceId === 'string' && !/^[A-Za-z0-9._-]{1,249}$/.test(instanceId)) {
    sink.report(nodeAt(root, ['processing', 'groupInstanceId']), 'option', `processing.groupInstanceId must be 1 to 249 letters, digits, '.', '_' or '-' (Kafka's rule for group.instance.id), got '${instanceId}'`);
  }
  // Under exactly_once a commit interval's batches share one transaction, which the broker
  // aborts after the producer's transaction timeout (60 s, committer-exactly-once.ts).
  const processingConfig = (config.processing as Obj | undefined) ?? {};
  if (processingConfig.guarantee === 'exactly_once' && typeof processingConfig.commitInterval === 'number' && processingConfig.commitInterval >= 60_000) {
    sink.report(nodeAt(root, ['processing', 'commitInterval']), 'option',
      `processing.commitInterval must be under 60s under exactly_once (one transaction spans an interval and the broker aborts it after the 60 s transaction timeout), got ${processingConfig.commitInterval}ms`);
  }
  const sessionTimeout = (config.processing as Obj | undefined)?.sessionTimeout;
  if (typeof sessionTimeout === 'number' && sessionTimeout < 1000) {
    sink.report(nodeAt(root, ['processing', 'sessionTimeout']), 'option', `processing.sessionTimeout must be at least 1s (brokers refuse less than group.min.session.timeout.ms, 6s by default), got ${sessionTimeout}ms`);
  }

  const standbyReplicas = processingConfig.standbyReplicas;
  if (typeof standbyReplicas === 'number' && standbyReplicas < 0) {
    sink.report(nodeAt(root, ['processing', 'standbyReplicas']), 'option', `processing.standbyReplicas must be 0 or more, got ${standbyReplicas}`);
  }

  if (sink.problems.length > 0) return { problems: sink.problems };
  const processing = (config.processing ?? {}) as Obj;
  const kafka = (config.kafka ?? {}) as Obj;
  return {
    problems: [],
    document: {
      file: path.resolve(file), dir, name,
      config: {
        ...config,
        kafka: {
          ...kafka, clientId: kafka.clientId ?? name,
          // 'host1:9092,host2:9092' in one variable is the usual way brokers come from the environment.
          brokers,
        },
        processing: {
          ...fieldDefaults(topologySpec.fields!.processing), ...processing,
          deadLetterTopic: processing.deadLetterTopic ?? defaultDeadLetterTopicName(name),
        },
      },
      sources, sinks, stores, pipelines, tests,
      positionOf: (node) => sink.position(node),
    },
  };
}

function stepIds(pipelines: ReadonlyMap<string, CheckedPipeline>): Set<string> {
  return new Set([...pipelines.values()].flatMap((p) => p.steps.map((s) => s.id)));
}

function entries(section: unknown): Array<[string, Obj]> {
  if (typeof section !== 'object' || section === null) return [];
  return Object.entries(section as Record<string, unknown>).map(([k, v]) => [k, (v ?? {}) as Obj]);
}

/** Every mapping's duplicate keys (YAML would keep only the last one silently). */
function reportDuplicateKeys(doc: Document, sink: ProblemSink): void {
  walkNodes(doc, (map) => {
    if (!isMap(map)) return;
    const seen = new Map<string, Pair>();
    for (const pair of map.items) {
      const name = keyText(pair);
      if (name === undefined) continue;
      const first = seen.get(name);
      if (first) {
        const at = sink.position(first);
        sink.report(pair, 'duplicate', `duplicate key '${name}' (first at line ${at.line}, column ${at.col})`);
      } else {
        seen.set(name, pair);
      }
    }
  });
}

function checkTests(raw: unknown, node: Node | undefined, sources: ReadonlyMap<string, CompiledSource>, sink: ProblemSink, lines: LineCounter): TopologyTestCase[] {
  if (!Array.isArray(raw)) return [];
  // Empty or non-mapping items are reported here and then skipped, never read.
  const objects = <T>(list: unknown, path: ReadonlyArray<string | number> = []): T[] => {
    if (!Array.isArray(list)) return [];
    list.forEach((x, k) => {
      if (x === null || typeof x !== 'object') {
        const at = nodeAt(node, [...path, k]) ?? nodeAt(node, path);
        if (at) sink.report(at, 'wrong-type', `tests${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}[${k}] must be a mapping, not ${x === null || x === undefined ? 'empty' : typeof x}`);
      }
    });
    return list.filter((x) => x !== null && typeof x === 'object') as T[];
  };
  return raw.map((rawTest: unknown, i) => {
    const test = (rawTest !== null && typeof rawTest === 'object' ? rawTest : {}) as Obj;
    const testNode = nodeAt(node, [i]);
    const inputs = objects<Obj>(test.inputs, [i, 'inputs']).map((input, j): TopologyTestInput | undefined => {
      const inputNode = nodeAt(testNode, ['inputs', j]);
      if (input.advanceStreamTime !== undefined) {
        for (const key of ['source', 'records']) {
          if (input[key] !== undefined) sink.report(pairOf(inputNode, key), 'option', `tests[${i}].inputs[${j}] takes either 'advanceStreamTime' or 'source' and 'records', not both`);
        }
        return typeof input.advanceStreamTime === 'number' ? { advanceStreamTime: input.advanceStreamTime } : undefined;
      }
      for (const key of ['source', 'records']) {
        const pair = pairOf(inputNode, key);
        const empty = pair !== undefined && (pair.value === null || (isScalar(pair.value) && pair.value.value === null));
        if (pair === undefined) {
          sink.report(inputNode, 'missing-key', `tests[${i}].inputs[${j}] is missing required key '${key}' (an input is 'source' with 'records', or 'advanceStreamTime')`);
        } else if (empty) {
          sink.report(pair, 'missing-key', `tests[${i}].inputs[${j}].${key} has no value`);
        }
      }
      const sourceName = String(input.source ?? '');
      if (input.source !== undefined && !sources.has(sourceName)) {
        sink.report(nodeAt(testNode, ['inputs', j, 'source']), 'unknown-reference',
          `unknown source '${sourceName}'${didYouMean(sourceName, sources.keys())}`);
      }
      const records = objects<TestRecord>(input.records, [i, 'inputs', j, 'records']);
      const schema = sources.get(sourceName)?.value.schema;
      if (schema !== undefined) {
        const type = avro.Type.forSchema(schema as avro.Schema);
        records.forEach((record, k) => {
          const paths: string[] = [];
          if (!type.isValid(record?.value, { errorHook: (path) => paths.push(path.join('.')) })) {
            const valueNode = nodeAt(testNode, ['inputs', j, 'records', k, 'value']);
            const at = paths[0] ? nodeAt(valueNode, paths[0].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))) : undefined;
            sink.report(at ?? valueNode ?? nodeAt(testNode, ['inputs', j, 'records', k]), 'schema',
              `test record does not match the Avro schema of source '${sourceName}'${paths[0] ? ` at value.${paths[0]}` : ''}`);
          }
        });
      }
      return { source: sourceName, records };
    }).filter((input): input is TopologyTestInput => input !== undefined);
    return {
      name: String(test.name ?? `test ${i + 1}`),
      line: testNode?.range ? lines.linePos(testNode.range[0]).line : 0,
      inputs,
      flush: test.flush === true,
      expect: objects<Obj>(test.expect, [i, 'expect']).map((e, j) => ({ sink: String(e.sink), records: objects<TestRecord>(e.records, [i, 'expect', j, 'records']) })),
      stores: objects<Obj>(test.stores, [i, 'stores']).map((s) => ({ store: String(s.store), key: s.key, value: s.value })),
    };
  });
}
