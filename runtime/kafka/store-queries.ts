import type { CompiledStore, SubTopology } from '../../topology/compiled-topology';
import type { Serde, SerdeFormat } from '../../schemas/serde';
import { StateStoreError } from '../state/errors';
import type { StoreAccess } from './store-access';
import { partitionForKey } from './key-partition';
import { badRequest, jsonKey, message, parseKey, unavailable, unknownStore, unusedStore, type QueryAnswer } from './internal/query-answers';
import { scanStore, type ScanRequest } from './store-scans';

export type { InputPosition, LocalTaskView, StoreAccess } from './store-access';
export type { QueryAnswer } from './internal/query-answers';
export { parseKey } from './internal/query-answers';

/** How a key look-up may be answered. */
export interface LookupOptions {
  /**
   * Answer from a standby copy on this process when the key's task runs elsewhere (Kafka
   * Streams' stale stores): marked `"source":"standby"`, with the copy's changelog lag.
   */
  readonly allowStandby?: boolean;
}

/**
 * Interactive queries (Kafka Streams' `KafkaStreams#store` and `queryMetadataForKey`):
 * read one key of a named store from the task that owns it, or scan a key range of the
 * partitions this process holds (store-scans.ts). A key's partition is the one its records
 * are on: murmur2 over the key serialized in its topic's key format, modulo the task count,
 * the rule every producer of the app places records by. The owner may be this process
 * (answered from RocksDB: committed state only, with the task's position on its inputs),
 * another process (answered with a redirect to the endpoint it advertised), or nobody yet
 * (a rebalance: 503 with Retry-After). Global stores answer locally. With `allowStandby`, a
 * process that keeps a standby copy of the key's task answers from it (maybe behind).
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
    if (store === undefined) return unknownStore(storeName, Object.keys(this.access.topology.stores));
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
  async get(storeName: string, keyText: string, path: string, options: LookupOptions = {}): Promise<QueryAnswer> {
    const located = this.keyTopic(storeName);
    if ('answer' in located) return located.answer;
    const parsed = parseKey(keyText, located.serde.format);
    if ('error' in parsed) return badRequest(`bad key for store '${storeName}': ${parsed.error}`, { store: storeName, keyFormat: located.serde.format });
    return this.lookup(storeName, parsed.key, path, options);
  }

  /**
   * The value of one key given as a value (not as text): what {@link get} answers once the key
   * is parsed. For routes of an application's own (the flagship's `/feeds/{user}`): `path` is
   * where the owner serves the same request, for the redirect.
   */
  async lookup(storeName: string, key: unknown, path: string, options: LookupOptions = {}): Promise<QueryAnswer> {
    const located = this.keyTopic(storeName);
    if ('answer' in located) return located.answer;
    const { store, serde } = located;
    if (store.global !== undefined) return this.getGlobal(storeName, key);
    const sub = located.sub!;
    const tasks = this.access.taskCount(sub.id);
    let bytes: Buffer | null;
    try {
      bytes = serde.serialize(key);
    } catch (error) {
      return badRequest(`bad key for store '${storeName}': it does not serialize as ${serde.format} (${message(error)})`, { store: storeName, keyFormat: serde.format });
    }
    if (bytes === null) return badRequest(`bad key for store '${storeName}': a null key has no partition`, { store: storeName });
    if (tasks === undefined) return unavailable(`store '${storeName}' is not open yet (the application is starting)`, { store: storeName });
    const partition = partitionForKey(bytes, tasks);
    const taskId = `${sub.id}_${partition}`;
    const where = { store: storeName, key: jsonKey(key), partition, task: taskId };

    const local = this.access.localTask(taskId);
    if (local.state === 'restoring') return unavailable(`task ${taskId} is restoring store '${storeName}'`, where);
    if (local.state === 'running') {
      try {
        // Read before the store: the value then reflects at least the records before these offsets.
        const position = await local.position();
        const value = await local.stores.readCommitted(storeName, key);
        const answer = { ...where, endpoint: this.access.advertisedEndpoint ?? null, source: 'active', position };
        return value === undefined
          ? { status: 404, body: { error: `key not found in store '${storeName}'`, ...answer } }
          : { status: 200, body: { ...answer, value } };
      } catch (error) {
        // The task closed (rebalance, failure) between the look-up and the read.
        if (error instanceof StateStoreError && error.retriable) return unavailable(`task ${taskId} is not open (${error.message})`, where);
        throw error;
      }
    }
    const standby = options.allowStandby === true ? this.access.standbyTask?.(taskId) : undefined;
    if (standby !== undefined) {
      try {
        // The copy's changelog positions: how many changelog records it has not applied yet.
        const position = await standby.position();
        const value = await standby.stores.readCommitted(storeName, key, { duringRestore: true });
        const answer = { ...where, endpoint: this.access.advertisedEndpoint ?? null, source: 'standby', position };
        return value === undefined
          ? { status: 404, body: { error: `key not found in the standby copy of store '${storeName}'`, ...answer } }
          : { status: 200, body: { ...answer, value } };
      } catch (error) {
        if (!(error instanceof StateStoreError && error.retriable)) throw error;
        // The copy closed meanwhile (its task moved here or away): answer as without it.
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

  /**
   * `GET /v1/stores/{store}/range` and `/prefix/{prefix}`: a bounded scan of the partitions
   * this process holds, naming the processes that hold the others (see store-scans.ts).
   */
  scan(request: ScanRequest): Promise<QueryAnswer> {
    const located = this.keyTopic(request.store);
    if ('answer' in located) return Promise.resolve(located.answer);
    return scanStore(this.access, request, located);
  }

  /** A store's definition, the sub-topology holding it (none for a global store) and the key serde its keys are given in. */
  private keyTopic(storeName: string): { answer: QueryAnswer } | { store: CompiledStore; sub?: SubTopology; serde: Serde<unknown> } {
    const store = this.access.topology.stores[storeName];
    if (store === undefined) return { answer: unknownStore(storeName, Object.keys(this.access.topology.stores)) };
    const sub = store.global !== undefined ? undefined : this.subTopologyOf(storeName);
    if (store.global === undefined && sub === undefined) return { answer: unusedStore(storeName) };
    const topic = store.global !== undefined ? store.global.topic : sub!.sourceTopics[0];
    const serde = this.access.keySerde(topic);
    if (serde === undefined) return { answer: unavailable(`store '${storeName}' is not open yet (the application is starting)`, { store: storeName }) };
    return { store, ...(sub ? { sub } : {}), serde };
  }

  private async getGlobal(storeName: string, key: unknown): Promise<QueryAnswer> {
    const globals = this.access.globalStores();
    if (globals === undefined || !globals.has(storeName)) return unavailable(`global store '${storeName}' is not open yet`, { store: storeName });
    const value = await globals.keyValueStore(storeName).get(key);
    const answer = { store: storeName, key: jsonKey(key), endpoint: this.access.advertisedEndpoint ?? null, source: 'global' };
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
}
