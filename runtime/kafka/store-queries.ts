import type { CompiledStore, CompiledTopology, SubTopology } from '../../topology/compiled-topology';
import type { Serde, SerdeFormat } from '../../schemas/serde';
import type { TaskStores } from '../state/task-stores';
import { StateStoreError } from '../state/errors';
import type { MemberEndpoint } from './client/group-endpoints';
import type { GlobalStores } from './global-stores';
import { partitionForKey } from './key-partition';

/** A task of this process as a query sees it. */
export type LocalTaskView =
  | { readonly state: 'absent' }
  | { readonly state: 'restoring' }
  | { readonly state: 'running'; readonly stores: TaskStores };

/** What queries read of a running application (StreamApp.storeAccess()). */
export interface StoreAccess {
  readonly topology: CompiledTopology;
  /** `host:port` this process advertised; absent when it advertises none. */
  readonly advertisedEndpoint?: string;
  /** Every member's endpoint and partitions from the last assignment. */
  members(): readonly MemberEndpoint[];
  /** Task count (= partitions of its input topics) of a sub-topology, once started. */
  taskCount(subTopologyId: number): number | undefined;
  /** The key serde records of `topic` are read with. */
  keySerde(topic: string): Serde<unknown> | undefined;
  localTask(taskId: string): LocalTaskView;
  globalStores(): GlobalStores | undefined;
}

/** An HTTP-shaped answer: status, extra headers, a JSON body. */
export interface QueryAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Seconds a client waits before asking again about a store that is restoring or a partition being moved. */
const RETRY_AFTER_S = '1';

/**
 * Interactive queries (Kafka Streams' `KafkaStreams#store` and `queryMetadataForKey`):
 * read one key of a named store from the task that owns it. A key's partition is the
 * one its records are on: murmur2 over the key serialized in its topic's key format,
 * modulo the task count, the rule every producer of the app places records by. The
 * owner may be this process (answered from RocksDB: committed state only), another
 * process (answered with a redirect to the endpoint it advertised), or nobody yet
 * (a rebalance: 503 with Retry-After). Global stores answer locally.
 */
export class StoreQueries {
  constructor(private readonly access: StoreAccess) {}

  /** `GET /v1/stores`: the queryable stores. */
  list(): QueryAnswer {
    const stores = Object.values(this.access.topology.stores).map((s) => ({ store: s.name, kind: 'key-value', global: s.global !== undefined, keyFormat: this.keyFormatOf(s) ?? null }));
    return { status: 200, body: { endpoint: this.access.advertisedEndpoint ?? null, stores } };
  }

  /** `GET /v1/stores/{store}/metadata`: which endpoints hold which partitions of a store. */
  metadata(storeName: string): QueryAnswer {
    const store = this.access.topology.stores[storeName];
    if (store === undefined) return this.unknownStore(storeName);
    const self = this.access.advertisedEndpoint ?? null;
    if (store.global !== undefined) {
      const endpoints = [...new Set(this.access.members().map((m) => m.endpoint).filter((e) => e !== ''))];
      return { status: 200, body: { store: storeName, kind: 'key-value', global: true, topic: store.global.topic, endpoint: self, note: 'every process holds all partitions of a global store', endpoints } };
    }
    const sub = this.subTopologyOf(storeName);
    if (sub === undefined) return unusedStore(storeName);
    const topic = sub.sourceTopics[0];
    const members = this.access.members().map((m) => ({
      endpoint: m.endpoint === '' ? null : m.endpoint,
      partitions: [...(m.assignment[topic] ?? [])].sort((a, b) => a - b),
      self: m.endpoint !== '' && m.endpoint === self,
    }));
    return { status: 200, body: { store: storeName, kind: 'key-value', global: false, topic, partitions: this.access.taskCount(sub.id) ?? null, endpoint: self, members } };
  }

  /**
   * `GET /v1/stores/{store}/keys/{key}`: the value of one key. `keyText` is the key as
   * its topic's key format gives it (see {@link parseKey}); `path` is the request path,
   * for the redirect to the owner.
   */
  async get(storeName: string, keyText: string, path: string): Promise<QueryAnswer> {
    const store = this.access.topology.stores[storeName];
    if (store === undefined) return this.unknownStore(storeName);
    const owning = store.global !== undefined ? undefined : this.subTopologyOf(storeName);
    if (store.global === undefined && owning === undefined) return unusedStore(storeName);
    const topic = store.global !== undefined ? store.global.topic : owning!.sourceTopics[0];
    const serde = this.access.keySerde(topic);
    if (serde === undefined) return unavailable(`store '${storeName}' is not open yet (the application is starting)`, { store: storeName });
    const parsed = parseKey(keyText, serde.format);
    if ('error' in parsed) return { status: 400, body: { error: `bad key for store '${storeName}': ${parsed.error}`, store: storeName, keyFormat: serde.format } };
    const key = parsed.key;
    if (store.global !== undefined) return this.getGlobal(storeName, key);

    const sub = owning!;
    const tasks = this.access.taskCount(sub.id);
    let bytes: Buffer | null;
    try {
      bytes = serde.serialize(key);
    } catch (error) {
      return { status: 400, body: { error: `bad key for store '${storeName}': it does not serialize as ${serde.format} (${message(error)})`, store: storeName, keyFormat: serde.format } };
    }
    if (bytes === null) return { status: 400, body: { error: `bad key for store '${storeName}': a null key has no partition`, store: storeName } };
    if (tasks === undefined) return unavailable(`store '${storeName}' is not open yet (the application is starting)`, { store: storeName });
    const partition = partitionForKey(bytes, tasks);
    const taskId = `${sub.id}_${partition}`;
    const where = { store: storeName, key, partition, task: taskId };

    const local = this.access.localTask(taskId);
    if (local.state === 'restoring') return unavailable(`task ${taskId} is restoring store '${storeName}'`, where);
    if (local.state === 'running') {
      try {
        const value = await local.stores.readCommitted(storeName, key);
        const answer = { ...where, endpoint: this.access.advertisedEndpoint ?? null, source: 'active' };
        return value === undefined
          ? { status: 404, body: { error: `key not found in store '${storeName}'`, ...answer } }
          : { status: 200, body: { ...answer, value } };
      } catch (error) {
        // The task closed (rebalance, failure) between the look-up and the read.
        if (error instanceof StateStoreError && error.retriable) return unavailable(`task ${taskId} is not open (${error.message})`, where);
        throw error;
      }
    }
    const owner = this.access.members().find((m) => m.assignment[sub.sourceTopics[0]]?.includes(partition));
    if (owner === undefined) return unavailable(`partition ${partition} of store '${storeName}' has no owner yet (a rebalance is in progress)`, where);
    if (owner.endpoint === '') {
      return { status: 421, body: { error: `partition ${partition} of store '${storeName}' is owned by a process that advertises no endpoint; start every process with --advertised-endpoint host:port`, ...where, owner: null } };
    }
    if (owner.endpoint === this.access.advertisedEndpoint) return unavailable(`task ${taskId} was just assigned here and is not open yet`, where);
    const location = `http://${owner.endpoint}${path}`;
    return { status: 307, headers: { location }, body: { error: `key is owned by another process: ask ${owner.endpoint}`, ...where, owner: owner.endpoint, location } };
  }

  private async getGlobal(storeName: string, key: unknown): Promise<QueryAnswer> {
    const globals = this.access.globalStores();
    if (globals === undefined || !globals.has(storeName)) return unavailable(`global store '${storeName}' is not open yet`, { store: storeName });
    const value = await globals.keyValueStore(storeName).get(key);
    const answer = { store: storeName, key, endpoint: this.access.advertisedEndpoint ?? null, source: 'global' };
    return value === undefined
      ? { status: 404, body: { error: `key not found in global store '${storeName}'`, ...answer } }
      : { status: 200, body: { ...answer, value } };
  }

  private subTopologyOf(storeName: string): SubTopology | undefined {
    return this.access.topology.subTopologies.find((s) => s.stores.includes(storeName));
  }

  private keyFormatOf(store: CompiledStore): SerdeFormat | undefined {
    const topic = store.global !== undefined ? store.global.topic : this.access.topology.subTopologies.find((s) => s.stores.includes(store.name))?.sourceTopics[0];
    return topic === undefined ? undefined : this.access.keySerde(topic)?.format;
  }

  private unknownStore(name: string): QueryAnswer {
    const known = Object.keys(this.access.topology.stores);
    return { status: 404, body: { error: `unknown store '${name}'; stores: ${known.join(', ') || 'none'}`, store: name } };
  }
}

/**
 * A key as a URL path segment (percent-decoded) gives it, read as its topic's key format:
 * `string` keys are the text itself; `json` and `avro` keys are JSON (`"u1"`, `42`,
 * `{"user":"u1"}`); `bytes` keys are base64.
 */
export function parseKey(text: string, format: SerdeFormat): { key: unknown } | { error: string } {
  switch (format) {
    case 'string':
      return { key: text };
    case 'bytes':
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return { error: `'${text}' is not base64 (keys in bytes format are given as base64)` };
      return { key: Buffer.from(text, 'base64') };
    case 'json':
    case 'avro':
      try {
        return { key: JSON.parse(text) as unknown };
      } catch {
        return { error: `'${text}' is not JSON (keys in ${format} format are given as JSON, e.g. "u1" with the quotes, or {"id":1})` };
      }
  }
}

function unusedStore(name: string): QueryAnswer {
  return { status: 404, body: { error: `store '${name}' is declared but no pipeline step uses it, so no task holds it`, store: name } };
}

function unavailable(error: string, where: Record<string, unknown>): QueryAnswer {
  return { status: 503, headers: { 'retry-after': RETRY_AFTER_S }, body: { error, ...where } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
