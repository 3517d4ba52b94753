import type { MeterProvider } from '@opentelemetry/api';
import type { ConsumedMessage, KafkaClient, RangeBatch } from '../kafka/client/kafka-client';
import { StateStoreError } from './errors';
import { canRetry } from '../../core/failure';
import type { GlobalEntry, GlobalStore } from './global-store';
import { RestoreInstruments } from './internal/store-instruments';
import { restoreProgress, type ProgressLog, type RestoreProgress } from './restore-progress';

/** Tries at reading the source topic's offsets before the restore gives up (about 2.5 s in all). */
const OFFSETS_ATTEMPTS = 5;

/** Turns one partition's consumed records into store entries (`value: null` deletes); may drop records it cannot use. */
export type GlobalRecordDecoder = (partition: number, messages: readonly ConsumedMessage[]) => Promise<GlobalEntry[]>;

export interface GlobalStoreUpdaterOptions {
  readonly client: KafkaClient;
  readonly store: GlobalStore;
  readonly decode: GlobalRecordDecoder;
  /** Progress bars on a terminal, lines otherwise (default true). */
  readonly progress?: boolean;
  /** Force bars (true) or lines (false); default: whether stderr is a TTY. */
  readonly tty?: boolean;
  readonly log?: ProgressLog;
  /** Warnings of the follow loop (a lost connection it retries). */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
  /** Fail the restore (retriable) when no partition moves for this long (default 60 s). */
  readonly stallTimeoutMs?: number;
  /** Bytes per partition per fetch (default 8 MiB). */
  readonly maxBytesPerPartition?: number;
  /** Wait before reading again after the follow loop lost its reader (default 1 s). */
  readonly retryDelayMs?: number;
  /** Record restore counts and time on OpenTelemetry instruments (task attribute `global`). */
  readonly metrics?: boolean;
  readonly meterProvider?: MeterProvider;
}

/** What the restore of a global store did. */
export interface GlobalRestoreSummary {
  readonly store: string;
  readonly topic: string;
  readonly partitions: number;
  /** Records read (tombstones and dropped records included). */
  readonly records: number;
  readonly durationMs: number;
  /** Whether the local copy was read from a checkpoint (only newer records were read). */
  readonly fromCheckpoint: boolean;
}

/** Kafka's largest offset: a range that ends there is followed until stopped. */
const FOREVER = (2n ** 63n - 1n).toString();

/*
 * Lifecycle:
 *
 *   created ──start()──▶ restoring ──every partition at its end──▶ following ──stop()──▶ stopped
 *                            │                                        │
 *                            └────────────── stop() / failure ────────┴──▶ stopped
 *
 * One range read follows every partition from the checkpoint for as long as
 * the updater runs: the restore is over when each partition has reached the
 * end it had when the updater started; the same read then keeps the store
 * current. A read lost while following is started again from the positions.
 */
type State = 'created' | 'restoring' | 'following' | 'stopped';

/**
 * Keeps one {@link GlobalStore} equal to its source topic: reads every
 * partition (no consumer group offsets: the checkpoint says where to resume),
 * applies each batch in one RocksDB write, shows restore progress and records
 * restore metrics.
 */
export class GlobalStoreUpdater {
  private state: State = 'created';
  private readonly stop$ = new AbortController();
  private loop?: Promise<void>;
  private records = 0;
  private lastMove = Date.now();

  constructor(private readonly options: GlobalStoreUpdaterOptions) {}

  /**
   * Restores the store to the topic's end as it is now and resolves then;
   * the store goes on following the topic in the background until {@link stop}.
   * `onFailure` hears of a failure after the restore (one a retry cannot mend).
   */
  async start(onFailure: (error: unknown) => void): Promise<GlobalRestoreSummary> {
    if (this.state !== 'created') throw new StateStoreError(`global store ${this.options.store.name} updater is ${this.state}, cannot start`, false, { store: this.options.store.name });
    this.state = 'restoring';
    const { store } = this.options;
    const started = Date.now();
    const fromCheckpoint = store.localState === 'checkpointed';
    const ends = await this.plan();
    const instruments = this.options.metrics ? new RestoreInstruments('global', this.options.meterProvider) : undefined;
    const todo = [...ends].filter(([p, end]) => BigInt(store.position(p)!) < end);
    const starts = new Map(todo.map(([p]) => [p, BigInt(store.position(p)!)]));
    const progress: RestoreProgress | undefined = this.options.progress === false || todo.length === 0
      ? undefined
      : restoreProgress(todo.map(([p, end]) => ({ topic: store.topic, partition: p, total: Number(end - starts.get(p)!) })), { tty: this.options.tty, log: this.options.log });
    const remaining = (): number => [...ends].reduce((n, [p, end]) => n + Math.max(0, Number(end - BigInt(store.position(p)!))), 0);
    let restored!: () => void;
    let restoreFailed!: (error: unknown) => void;
    const done = new Promise<void>((resolve, reject) => { restored = resolve; restoreFailed = reject; });
    const onMoved = (partition: number, count: number): void => {
      if (this.state !== 'restoring') return;
      this.lastMove = Date.now();
      instruments?.restored(store.name, count);
      instruments?.setRemaining(store.name, remaining());
      const from = starts.get(partition);
      if (from !== undefined) progress?.update(store.topic, partition, Number(BigInt(store.position(partition)!) - from));
      if (remaining() === 0) restored();
    };
    if (remaining() === 0) restored();

    const stallMs = this.options.stallTimeoutMs ?? 60_000;
    const watchdog = setInterval(() => {
      if (this.state !== 'restoring' || Date.now() - this.lastMove <= stallMs) return;
      const stuck = [...ends].filter(([p, end]) => BigInt(store.position(p)!) < end).map(([p, end]) => `${store.topic}[${p}] at ${store.position(p)} of ${end}`);
      restoreFailed(new StateStoreError(`global store ${store.name} restore made no progress for ${stallMs} ms: ${stuck.join(', ')} (broker unreachable or partition offline?)`, true, { store: store.name }));
    }, Math.min(stallMs, 1_000));

    this.loop = this.follow([...ends.keys()], onMoved, (error) => {
      if (this.state === 'restoring') restoreFailed(error);
      else onFailure(error);
    });
    try {
      await done;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearInterval(watchdog);
      progress?.finish();
    }
    await store.checkpointNow();
    const durationMs = Date.now() - started;
    instruments?.finished(store.name, durationMs / 1000);
    instruments?.setRemaining(store.name, 0);
    if (this.state === 'restoring') this.state = 'following';
    return { store: store.name, topic: store.topic, partitions: ends.size, records: this.records, durationMs, fromCheckpoint };
  }

  /** Stops following and waits for the batch in hand to be written. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.stop$.abort(new StateStoreError(`global store ${this.options.store.name} stopped`, false, { store: this.options.store.name }));
    await this.loop;
  }

  /**
   * Each partition's end now (read_committed), with the store's positions
   * set to where reading starts: the checkpoint, else the log start. A
   * checkpoint past the end means the topic was recreated or truncated: the
   * copy is cleared and read again from the start.
   */
  private async plan(): Promise<Map<number, bigint>> {
    const { client, store } = this.options;
    const admin = await client.admin();
    let offsets;
    try {
      // A topic the app has just created (a global store fed by its own sink) may not have its
      // leader in the broker's metadata yet: the client says so with a retriable error.
      for (let attempt = 1; ; attempt++) {
        try {
          offsets = await admin.topicOffsets(store.topic);
          break;
        } catch (cause) {
          if (attempt < OFFSETS_ATTEMPTS && canRetry(cause)) {
            await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
            continue;
          }
          throw new StateStoreError(`cannot read the offsets of ${store.topic} (source of global store ${store.name}): ${(cause as Error).message}`, true, { store: store.name }, { cause });
        }
      }
    } finally {
      await admin.close();
    }
    if (offsets.some((o) => store.position(o.partition) !== undefined && BigInt(store.position(o.partition)!) > BigInt(o.high))) {
      this.options.log?.(`global store ${store.name}: checkpoint is past the end of ${store.topic} (topic recreated or truncated); reading it again from the start`);
      await store.clear();
    }
    const positions = offsets.map((o) => {
      const at = store.position(o.partition);
      // Records below the log start are gone (retention, compaction): start where the log does.
      const from = at === undefined || BigInt(at) < BigInt(o.low) ? o.low : at;
      return { partition: o.partition, offset: from };
    });
    await store.apply([], positions);
    await store.checkpointNow();
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  /** Reads every partition from the store's positions until stopped; a lost read starts again after a pause. */
  private async follow(partitions: readonly number[], onMoved: (partition: number, records: number) => void, onFailure: (error: unknown) => void): Promise<void> {
    const { client, store } = this.options;
    const signal = this.stop$.signal;
    // One RocksDB write in flight while the next batch is fetched and decoded:
    // reading and writing overlap, and writes stay in offset order.
    let inFlight: Promise<void> = Promise.resolve();
    let failure: unknown;
    let writeFailed = new AbortController();
    const onBatch = async (batch: RangeBatch): Promise<void> => {
      if (signal.aborted) return;
      const entries = batch.messages.length > 0 ? await this.options.decode(batch.partition, batch.messages) : [];
      await inFlight;
      if (failure !== undefined) throw failure;
      inFlight = store.apply(entries, [{ partition: batch.partition, offset: batch.nextOffset }]).then(() => {
        this.records += batch.messages.length;
        onMoved(batch.partition, batch.messages.length);
      }, (error: unknown) => {
        failure ??= error;
        writeFailed.abort(error);
      });
    };
    while (!signal.aborted) {
      try {
        failure = undefined;
        writeFailed = new AbortController();
        await client.readRanges(
          partitions.map((partition) => ({ topic: store.topic, partition, from: store.position(partition)!, to: FOREVER })),
          onBatch,
          { maxBytesPerPartition: this.options.maxBytesPerPartition ?? 8 << 20, signal: AbortSignal.any([signal, writeFailed.signal]) },
        );
      } catch (error) {
        await inFlight;
        if (signal.aborted) return;
        const retriable = canRetry(error, (e) => client.isRecoverable(e));
        if (!retriable || this.state === 'restoring') {
          onFailure(error);
          return;
        }
        this.options.warn?.('global store lost its reader; reading again', { store: store.name, topic: store.topic, error });
        await sleep(this.options.retryDelayMs ?? 1_000, signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
