import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledTopology } from '../../topology/compiled-topology';
import { formatProblem } from '../../topology/lint-problem';
import { loadTopology } from '../../topology/topology-loader';
import { ConfigError } from '../../core/errors';
import type { ScoringService } from '../../core/scoring/scoring-service';
import type { KeyValueStore } from '../../core/key-value-store';
import { TaskStores } from '../state/task-stores';
import { GlobalStore, withGlobalStores } from '../state/global-store';
import { jsonValueSerde } from '../state/serde-json-value';
import { structuredKeySerde } from '../state/serde-structured-key';
import type { RecordHeaders, StreamRecord } from '../../core/stream-record';
import { eventTimeReader } from './event-time';
import type { BatchResult } from './batch-result';
import { TaskPipeline } from './task-pipeline';

/** The last representable event time (the largest JavaScript Date): what {@link TopologyTestDriver.flush} advances to. */
export const END_OF_TIME = 8_640_000_000_000_000;

/** Sub-topology ids with each before those that read its repartition topics. */
function upstreamFirst(topology: CompiledTopology): number[] {
  const ids = topology.subTopologies.map((s) => s.id);
  const feeds = new Map<number, number[]>(ids.map((id) => [id, []]));
  const waiting = new Map<number, number>(ids.map((id) => [id, 0]));
  for (const r of topology.repartitionTopics) {
    if (!feeds.has(r.fromSubTopology) || !waiting.has(r.toSubTopology) || r.fromSubTopology === r.toSubTopology) continue;
    feeds.get(r.fromSubTopology)?.push(r.toSubTopology);
    waiting.set(r.toSubTopology, (waiting.get(r.toSubTopology) ?? 0) + 1);
  }
  const order: number[] = [];
  const ready = ids.filter((id) => waiting.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift() as number;
    order.push(id);
    for (const next of feeds.get(id) ?? []) {
      const left = (waiting.get(next) ?? 1) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  // Pipelines form no cycles (validate refuses them), so every id is placed; keep any stragglers anyway.
  return [...order, ...ids.filter((id) => !order.includes(id))];
}

/** A record to pipe in: only the value is required. */
export interface TestInputRecord {
  readonly key?: unknown;
  readonly value: unknown;
  /** Event time (ms); default: the previous record's, or the driver's start time. */
  readonly timestamp?: number;
  readonly headers?: RecordHeaders;
}

export interface TestDriverOptions {
  /** Where stores live (default: a fresh temporary directory, removed on close). */
  readonly stateDir?: string;
  /** Initial wall clock (ms, default 0); it only moves when the test moves it. */
  readonly wallClockMs?: number;
  /** Variables for `${VAR}` when a file is loaded (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly scoring?: ScoringService;
}

interface Task {
  readonly pipeline: TaskPipeline;
  readonly stores?: TaskStores;
}

/** What opening a task needs besides its sub-topology. */
interface TaskContext {
  readonly topology: CompiledTopology;
  readonly stateDir: string;
  readonly clock: { ms: number };
  readonly scoring?: ScoringService;
  /** The topology's global stores, shared by every task as in a process. */
  readonly globals: ReadonlyMap<string, GlobalStore>;
}

async function openTask(context: TaskContext, sub: CompiledTopology['subTopologies'][number]): Promise<Task> {
  const { topology, stateDir, clock, scoring } = context;
  const taskId = `${sub.id}_0`;
  const stores = sub.stores.length === 0 ? undefined : await TaskStores.open({
    stateDir, appId: topology.name, taskId, partition: 0,
    processingGuarantee: topology.processing.guarantee,
    stores: sub.stores.map((name) => topology.stores[name]),
  });
  const globals = context.globals.size === 0 ? undefined : {
    has: (name: string) => context.globals.has(name),
    keyValueStore: <K, V>(name: string) => context.globals.get(name)!.view as KeyValueStore<K, V>,
  };
  return { stores, pipeline: new TaskPipeline(topology, sub, { taskId, stores: withGlobalStores(stores, globals), scoring, wallClock: () => clock.ms }) };
}

/**
 * Runs a topology in process, like Kafka Streams' TopologyTestDriver: pipe
 * records into named sources, move the wall clock and stream time (or
 * {@link TopologyTestDriver.flush} at end of input to close every window), read what
 * reached each sink and what the stores hold. One task per sub-topology, real
 * RocksDB stores in a temporary directory, repartition topics short-circuited
 * in order; every step is deterministic (the wall clock is the driver's).
 */
export class TopologyTestDriver {
  private lastTimestamp = 0;
  private offset = 0;
  private readonly outputs = new Map<string, StreamRecord[]>();
  private readonly failed: BatchResult['failures'] = [];

  private constructor(
    readonly topology: CompiledTopology,
    private readonly tasks: Task[],
    private readonly context: TaskContext,
    private readonly ownsStateDir: boolean,
  ) {}

  private get clock(): { ms: number } {
    return this.context.clock;
  }

  /** Loads (a file) or takes (a compiled topology) and opens every task; a file with problems throws them all. */
  static async open(topology: string | CompiledTopology, options: TestDriverOptions = {}): Promise<TopologyTestDriver> {
    let compiled: CompiledTopology;
    if (typeof topology === 'string') {
      const loaded = loadTopology(topology, { env: options.env });
      if (!loaded.topology) throw new ConfigError(`topology has problems:\n${loaded.problems.map(formatProblem).join('\n')}`);
      compiled = loaded.topology;
    } else {
      compiled = topology;
    }
    const ownsStateDir = options.stateDir === undefined;
    const stateDir = options.stateDir ?? await mkdtemp(join(tmpdir(), 'tributary-test-'));
    const clock = { ms: options.wallClockMs ?? 0 };
    const tasks: Task[] = [];
    const globals = new Map<string, GlobalStore>();
    const context: TaskContext = { topology: compiled, stateDir, clock, scoring: options.scoring, globals };
    try {
      for (const s of Object.values(compiled.stores)) {
        if (s.global) globals.set(s.name, await GlobalStore.open({ stateDir, appId: compiled.name, name: s.name, topic: s.global.topic }));
      }
      for (const sub of compiled.subTopologies) tasks.push(await openTask(context, sub));
    } catch (err) {
      for (const t of tasks) await t.stores?.close();
      for (const g of globals.values()) await g.close();
      if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
      throw err;
    }
    return new TopologyTestDriver(compiled, tasks, context, ownsStateDir);
  }

  /**
   * Pipes records into a source as one batch and runs everything they cause,
   * repartitions included. Records of a global store's source fill the store
   * (key → value; a null value deletes), visible to the next batch of every task.
   */
  async pipe(source: string, records: readonly TestInputRecord[]): Promise<void> {
    const declared = this.topology.sources[source];
    if (!declared) throw new ConfigError(`no source '${source}' (sources: ${Object.keys(this.topology.sources).join(', ')})`);
    const filled = Object.values(this.topology.stores).filter((s) => s.global?.source === source);
    for (const s of filled) {
      const entries = records.filter((r) => r.key !== null && r.key !== undefined).map((r) => ({
        key: structuredKeySerde.serialize(r.key),
        value: r.value === null || r.value === undefined ? null : jsonValueSerde.serialize(r.value),
      }));
      await this.context.globals.get(s.name)!.apply(entries, []);
    }
    if (filled.length > 0) {
      for (const r of records) this.lastTimestamp = r.timestamp ?? this.lastTimestamp;
      return;
    }
    const task = this.tasks.find((t) => t.pipeline.subTopology.sources.includes(source));
    // The source's event-time rule, as the decoder applies it in production; a record with no
    // event time is a failure of the source, as it would be dead-lettered there.
    const eventTime = eventTimeReader(declared);
    const batch: StreamRecord[] = [];
    for (const r of records) {
      this.lastTimestamp = r.timestamp ?? this.lastTimestamp;
      const record: StreamRecord = {
        key: r.key ?? null, value: r.value, timestamp: this.lastTimestamp, headers: r.headers ?? {},
        source: { topic: declared.topic, partition: 0, offset: String(this.offset++) },
      };
      try {
        batch.push(eventTime ? { ...record, timestamp: eventTime(record) } : record);
      } catch (error) {
        this.failed.push({ stepId: source, record, error });
      }
    }
    if (!task) return;
    await this.runBatch(task, () => task.pipeline.process(declared.topic, batch));
  }

  /** Moves the wall clock forward and punctuates every task (wall-clock timers fire). */
  async advanceWallClock(ms: number): Promise<void> {
    this.clock.ms += ms;
    for (const task of this.tasks) await this.runBatch(task, () => task.pipeline.punctuate());
  }

  /**
   * Moves stream time to at least `ms` (epoch ms, not a delta) in every task
   * and every event-time step, and punctuates: windows whose end plus grace is
   * at or before `ms` close and emit their final results, joins and debounces
   * expire what is due, and records piped later that are older than their
   * windows are late. Tasks go upstream first, so results a flush sends
   * through a repartition reach the next task before its own clock moves.
   */
  async advanceStreamTime(ms: number): Promise<void> {
    if (Number.isNaN(ms)) throw new ConfigError('advanceStreamTime needs a time in epoch ms, got NaN');
    const to = Math.min(ms, END_OF_TIME);
    for (const sub of upstreamFirst(this.topology)) {
      const task = this.tasks.find((t) => t.pipeline.subTopology.id === sub);
      if (task) await this.runBatch(task, () => task.pipeline.punctuate(to));
    }
  }

  /**
   * Ends the input: moves stream time to the end of time, so that every open
   * window, session, join buffer and event-time timer closes and emits. Any
   * record piped afterwards is late.
   */
  async flush(): Promise<void> {
    await this.advanceStreamTime(END_OF_TIME);
  }

  /** The driver's wall clock (ms). */
  get wallClock(): number { return this.clock.ms; }

  /** Takes the records that reached a sink since the last read, oldest first. */
  readOutput(sink: string): StreamRecord[] {
    if (!this.topology.sinks[sink]) throw new ConfigError(`no sink '${sink}' (sinks: ${Object.keys(this.topology.sinks).join(', ')})`);
    const out = this.outputs.get(sink) ?? [];
    this.outputs.set(sink, []);
    return out;
  }

  /** Records steps handed to the dead-letter policy so far. */
  get failures(): BatchResult['failures'] { return this.failed; }

  /** A store of the topology, as the operators see it. */
  store<K = unknown, V = unknown>(name: string): KeyValueStore<K, V> {
    const global = this.context.globals.get(name);
    if (global) return global.view as KeyValueStore<K, V>;
    const task = this.tasks.find((t) => t.pipeline.subTopology.stores.includes(name));
    if (!task?.stores) throw new ConfigError(`no store '${name}' (stores: ${Object.keys(this.topology.stores).join(', ')})`);
    return task.stores.keyValueStore<K, V>(name);
  }

  /** Closes every task and its stores; removes the temporary state directory it made. */
  async close(): Promise<void> {
    for (const task of this.tasks) {
      await task.pipeline.close();
      await task.stores?.close();
    }
    for (const g of this.context.globals.values()) await g.close();
    if (this.ownsStateDir) await rm(this.context.stateDir, { recursive: true, force: true });
  }

  /**
   * One batch in one task, then its repartitioned records in the tasks that read them; stores
   * commit after each. A batch that rejects leaves nothing behind: as the runtime does, the
   * task is rebuilt from its committed state (its store writes and operator state of the
   * failed batch are dropped) before the error reaches the test.
   */
  private async runBatch(task: Task, work: () => Promise<BatchResult>): Promise<void> {
    let result: BatchResult;
    try {
      result = await work();
    } catch (error) {
      await this.rebuild(task);
      throw error;
    }
    await task.stores?.flush();
    await task.stores?.commitApplied([]);
    for (const { sink, record } of result.outputs) this.outputs.set(sink, [...(this.outputs.get(sink) ?? []), record]);
    this.failed.push(...result.failures);
    const byTopic = new Map<string, StreamRecord[]>();
    for (const { topic, record } of result.repartition) byTopic.set(topic, [...(byTopic.get(topic) ?? []), record]);
    for (const [topic, records] of byTopic) {
      const next = this.tasks.find((t) => t.pipeline.subTopology.sourceTopics.includes(topic));
      if (next) await this.runBatch(next, () => next.pipeline.process(topic, records));
    }
  }

  private async rebuild(task: Task): Promise<void> {
    const i = this.tasks.indexOf(task);
    await task.pipeline.close().catch(() => undefined);
    await task.stores?.close();
    this.tasks[i] = await openTask(this.context, task.pipeline.subTopology);
  }
}
