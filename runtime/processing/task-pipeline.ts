import { Subject, type OperatorFunction, type Subscription } from 'rxjs';
import { context as contextApi, type Span } from '@opentelemetry/api';
import type { OperatorContext } from '../../operators/operator-spec';
import { compileExpression } from '../../operators/cel-expression';
import type { CompiledSink, CompiledTopology, GraphNode, ProcessorNode, SubTopology } from '../../topology/compiled-topology';
import { ConfigError, RecordError, TributaryError } from '../../core/errors';
import type { ScoringService } from '../../core/scoring/scoring-service';
import type { KeyValueStore } from '../../core/key-value-store';
import type { StreamRecord } from '../../core/stream-record';
import type { BatchResult } from './batch-result';
import { compileExpressionOptions } from './internal/expression-options';
import { instrumentStep } from './internal/step-instrumentation';
import type { StepMeter } from './step-meter';
import { tracedScoring } from './internal/traced-scoring';
import { stageTracer } from '../telemetry/stage-span';

/** Where a task's stores come from (TaskStores satisfies it). */
export interface StoreProvider {
  keyValueStore<K = unknown, V = unknown>(name: string): KeyValueStore<K, V>;
}

export interface TaskPipelineOptions {
  readonly taskId: string;
  readonly stores?: StoreProvider;
  readonly scoring?: ScoringService;
  /** Wall clock in ms (default Date.now); the test driver passes its own. */
  readonly wallClock?: () => number;
  /** Stream time the task starts from (default -Infinity). */
  readonly initialStreamTime?: number;
  /** An operator asked for wall-clock punctuation at least every `intervalMs`. */
  readonly onPunctuationRequest?: (intervalMs: number, stepId: string) => void;
  /** Step counts, durations and events (`late_records`, `skipped_records`, operators' own); production passes TributaryMetrics. */
  readonly meter?: StepMeter;
  /** Adjusts the context a step gets (e.g. metered stores); receives the default one. */
  readonly contextFactory?: (base: OperatorContext, node: ProcessorNode) => OperatorContext;
}

/** The state of the batch in flight; operators' contexts write into it. */
interface BatchRun {
  readonly subjects: Map<string, Subject<StreamRecord>>;
  readonly result: BatchResult;
  /** Each step's span, when the batch is traced (see stage-span.ts). */
  readonly stepSpans?: Map<string, Span>;
  fatal?: unknown;
}

/*
 * Lifecycle:
 *
 *   idle ──process()/punctuate()──▶ running ──batch drained──▶ idle
 *   idle ──close()──▶ closed
 *
 * Calls made while a batch runs wait for it: one batch at a time per task.
 */
type State = 'idle' | 'running' | 'closed';

/**
 * Runs one sub-topology of a compiled topology for one task. Each call pushes
 * ONE batch through the step operators as Observables that complete, and
 * resolves only when every node has drained (async steps included): the batch
 * is the unit of work and of backpressure. Operators are created once and
 * applied afresh to each batch; anything lasting lives in stores.
 */
export class TaskPipeline {
  private state: State = 'idle';
  private queue: Promise<unknown> = Promise.resolve();
  private current: BatchRun | undefined;
  private streamTimeMs: number;
  /** Stream time forced on every event-time step by punctuate(streamTimeMs); records never move it. */
  private advancedStreamTimeMs = -Infinity;
  private wallClockOverride: number | undefined;
  private readonly nodes: Map<string, GraphNode>;
  private readonly operators = new Map<string, OperatorFunction<StreamRecord, StreamRecord>>();
  private readonly targets = new Map<string, string[]>();
  private readonly sinkKeys = new Map<string, (r: StreamRecord) => unknown>();
  private readonly inputs = new Map<string, string>();

  /** Creates the operators of every step; throws a ConfigError (not retriable) when one rejects its options. */
  constructor(readonly topology: CompiledTopology, readonly subTopology: SubTopology, private readonly options: TaskPipelineOptions) {
    this.streamTimeMs = options.initialStreamTime ?? -Infinity;
    this.nodes = new Map(subTopology.nodes.map((id) => [id, topology.nodes[id]]));
    for (const node of this.nodes.values()) {
      const side = node.kind === 'processor' ? Object.values(node.sideOutputs).flat() : [];
      this.targets.set(node.id, [...new Set([...node.successors, ...side])].filter((id) => this.nodes.has(id)));
      if (node.kind === 'source') {
        this.inputs.set(node.topic, node.id);
      }
      if (node.kind === 'repartition-source') this.inputs.set(node.topic, node.id);
      if (node.kind === 'sink') {
        const sink: CompiledSink = topology.sinks[node.sink];
        if (sink.keyExpression) {
          const expr = compileExpression(sink.keyExpression);
          this.sinkKeys.set(node.id, (r) => expr.evaluate(r));
        }
      }
    }
    for (const node of this.nodes.values()) {
      if (node.kind === 'source') this.inputs.set(node.source, this.inputs.get(node.source) ?? node.id);
      if (node.kind !== 'processor') continue;
      const context = this.contextFor(node);
      try {
        const options = compileExpressionOptions(node.options, node.spec.options, node.id);
        this.operators.set(node.id, node.spec.create(options, context));
      } catch (err) {
        if (err instanceof TributaryError) throw err;
        throw new ConfigError(`step ${node.id} (${node.operator}) could not start: ${(err as Error).message}`, undefined, { cause: err });
      }
    }
  }

  /** Highest event time seen so far by this task (ms). */
  get streamTime(): number { return this.streamTimeMs; }

  /**
   * Pushes one batch read from `input` (a topic of this sub-topology, or a
   * source name) through the pipeline and resolves when it has fully drained.
   */
  process(input: string, records: readonly StreamRecord[]): Promise<BatchResult> {
    const nodeId = this.inputs.get(input);
    if (nodeId === undefined) {
      return Promise.reject(new ConfigError(`sub-topology ${this.subTopology.id} reads no topic or source '${input}' (it reads ${this.subTopology.sourceTopics.join(', ')})`));
    }
    return this.enqueue(() => this.run(nodeId, records));
  }

  /**
   * Runs an empty batch so that timers fire (window ends, debounce, wall-clock
   * work); the wall clock reads `wallClockMs` during the run when given.
   * `streamTimeMs`, when given, moves stream time forward for the task and for
   * every event-time step (which otherwise keeps its own, moved only by the
   * records that reach it), for good: windows whose end plus grace it passes
   * close and emit, and later records older than their windows are late. The
   * test driver uses it to end the input; the runtime never passes it.
   */
  punctuate(streamTimeMs?: number, wallClockMs?: number): Promise<BatchResult> {
    return this.enqueue(async () => {
      if (streamTimeMs !== undefined) {
        this.streamTimeMs = Math.max(this.streamTimeMs, streamTimeMs);
        this.advancedStreamTimeMs = Math.max(this.advancedStreamTimeMs, streamTimeMs);
      }
      this.wallClockOverride = wallClockMs;
      try {
        return await this.run(undefined, []);
      } finally {
        this.wallClockOverride = undefined;
      }
    });
  }

  /** Waits for the batch in flight, then refuses further batches. Stores belong to the caller. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.state = 'closed';
  }

  private enqueue(work: () => Promise<BatchResult>): Promise<BatchResult> {
    if (this.state === 'closed') return Promise.reject(new ConfigError(`task ${this.options.taskId}: pipeline is closed`));
    const next = this.queue.catch(() => undefined).then(() => {
      this.state = 'running';
      return work().finally(() => { if (this.state === 'running') this.state = 'idle'; });
    });
    this.queue = next;
    return next;
  }

  private wallClock(): number {
    return this.wallClockOverride ?? (this.options.wallClock ?? Date.now)();
  }

  private run(inputNode: string | undefined, records: readonly StreamRecord[]): Promise<BatchResult> {
    // Read before any await: the caller's context holds the batch span.
    const parentContext = contextApi.active();
    const tracer = stageTracer(parentContext);
    const run: BatchRun = { subjects: new Map(), result: { outputs: [], repartition: [], failures: [] }, ...(tracer ? { stepSpans: new Map() } : {}) };
    this.current = run;
    const pending = new Map<string, number>();
    for (const id of this.nodes.keys()) run.subjects.set(id, new Subject<StreamRecord>());
    for (const [id, node] of this.nodes) {
      if (node.kind === 'source' || node.kind === 'repartition-source') pending.set(id, 1);
      for (const t of this.targets.get(id) ?? []) pending.set(t, (pending.get(t) ?? 0) + 1);
    }
    return new Promise<BatchResult>((resolve, reject) => {
      let open = this.nodes.size;
      const subscriptions: Subscription[] = [];
      const finish = (error?: unknown): void => {
        if (this.current !== run) return;
        this.current = undefined;
        for (const s of subscriptions) s.unsubscribe();
        if (error !== undefined) reject(error); else resolve(run.result);
      };
      const done = (id: string): void => {
        for (const t of this.targets.get(id) ?? []) {
          const left = (pending.get(t) ?? 1) - 1;
          pending.set(t, left);
          if (left === 0) run.subjects.get(t)?.complete();
        }
        open -= 1;
        if (run.fatal !== undefined) finish(run.fatal);
        else if (open === 0) finish();
      };
      const forward = (id: string): ((record: StreamRecord) => void) => {
        const next = (this.nodes.get(id) as GraphNode).successors.filter((t) => this.nodes.has(t))
          .map((t) => run.subjects.get(t) as Subject<StreamRecord>);
        return (record) => { for (const subject of next) subject.next(record); };
      };
      for (const [id, node] of this.nodes) {
        const input = run.subjects.get(id) as Subject<StreamRecord>;
        const observer = {
          next: this.sinkObserver(node, run) ?? forward(id),
          error: (err: unknown) => finish(this.wrapStreamError(id, err)),
          complete: () => done(id),
        };
        let operator = this.operators.get(id);
        if (operator) {
          operator = instrumentStep(operator, id, {
            meter: this.options.meter, tracer, parent: parentContext, onSpan: (span) => run.stepSpans?.set(id, span),
          });
        }
        subscriptions.push((operator ? input.pipe(operator) : input).subscribe(observer));
      }
      for (const [id, node] of this.nodes) {
        if (node.kind !== 'source' && node.kind !== 'repartition-source') continue;
        const subject = run.subjects.get(id) as Subject<StreamRecord>;
        if (id === inputNode) {
          // Records come stamped with their event time (event-time.ts: the decoder, or the test driver).
          for (const record of records) {
            if (run.fatal !== undefined || this.current !== run) break;
            if (record.timestamp > this.streamTimeMs) this.streamTimeMs = record.timestamp;
            subject.next(record);
          }
        }
        const left = (pending.get(id) ?? 1) - 1;
        pending.set(id, left);
        if (left === 0) subject.complete();
      }
    });
  }

  /** Sinks collect instead of forwarding. */
  private sinkObserver(node: GraphNode, run: BatchRun): ((r: StreamRecord) => void) | undefined {
    if (node.kind === 'repartition-sink') return (record) => run.result.repartition.push({ topic: node.topic, record });
    if (node.kind !== 'sink') return undefined;
    const key = this.sinkKeys.get(node.id);
    return (record) => {
      if (!key) { run.result.outputs.push({ sink: node.sink, record }); return; }
      try {
        run.result.outputs.push({ sink: node.sink, record: { ...record, key: key(record) } });
      } catch (error) {
        this.fail(run, node.id, 'dead-letter', record, error);
      }
    };
  }

  private contextFor(node: ProcessorNode): OperatorContext {
    const base: OperatorContext = {
      stepId: node.id,
      taskId: this.options.taskId,
      keyValueStore: <K, V>(name: string): KeyValueStore<K, V> => {
        if (!this.options.stores) throw new ConfigError(`step ${node.id}: task ${this.options.taskId} has no stores (store '${name}')`);
        return this.options.stores.keyValueStore<K, V>(name);
      },
      ...(this.options.scoring ? { scoring: tracedScoring(this.options.scoring, () => this.current?.stepSpans?.get(node.id)) } : {}),
      streamTime: () => this.streamTimeMs,
      advancedStreamTime: () => this.advancedStreamTimeMs,
      wallClock: () => this.wallClock(),
      recordFailed: (record, error) => { if (this.current) this.fail(this.current, node.id, node.onError, record, error); },
      sideOutput: (target, record) => this.sideOutput(node, target, record),
      requestPunctuation: (intervalMs) => this.options.onPunctuationRequest?.(intervalMs, node.id),
      count: (counter, amount = 1) => this.options.meter?.stepEvents(node.id, counter, amount),
    };
    return this.options.contextFactory ? this.options.contextFactory(base, node) : base;
  }

  private sideOutput(node: ProcessorNode, target: string, record: StreamRecord): void {
    const run = this.current;
    if (!run) return;
    const ids = node.sideOutputs[target];
    if (ids === undefined) {
      // Not declared in the step's options: a sink can still be written directly.
      if (this.topology.sinks[target]) { run.result.outputs.push({ sink: target, record }); return; }
      this.fail(run, node.id, node.onError, record, new RecordError(`step ${node.id} sent a record to '${target}', which is no sink or pipeline its options name`, { ...record.source, stepId: node.id }));
      return;
    }
    for (const id of ids) run.subjects.get(id)?.next(record);
  }

  private fail(run: BatchRun, stepId: string, policy: ProcessorNode['onError'], record: StreamRecord, error: unknown): void {
    if (policy === 'skip') { this.options.meter?.stepEvents(stepId, 'skipped_records', 1); return; }
    if (policy === 'fail') {
      const message = error instanceof Error ? error.message : String(error);
      const where = record.source ? ` (${record.source.topic}/${record.source.partition}@${record.source.offset})` : '';
      run.fatal ??= new RecordError(`step ${stepId} failed on a record${where}: ${message}`, { ...record.source, stepId }, { cause: error });
      return;
    }
    run.result.failures.push({ stepId, record, error });
  }

  private wrapStreamError(stepId: string, err: unknown): unknown {
    if (err instanceof TributaryError) return err;
    return new RecordError(`step ${stepId} failed: ${err instanceof Error ? err.message : String(err)}`, { stepId }, { cause: err });
  }
}
