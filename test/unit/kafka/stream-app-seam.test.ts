/**
 * StreamApp against a scripted Kafka client behind the seam (a unit test of the app's
 * protocol with the client; the real broker runs it in test/integration/runtime/): what it
 * asks of the group consumer, the order produce → mark of a batch, and commits on the
 * interval, at a rebalance and at stop (the file's commitInterval is an hour unless a test
 * says otherwise, so only those commit).
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import type {
  ConsumedMessage, GroupConsumer, GroupConsumerHandlers, GroupConsumerOptions, KafkaAdmin, KafkaClient, KafkaProducer, KafkaTransaction, TopicMessages,
  TransactionalProducer,
} from '../../../runtime/kafka/client/kafka-client';
import { StreamApp } from '../../../runtime/kafka/stream-app';
import { createTaskPipeline } from '../../../runtime/kafka/pipeline-factory';
import { createLogger } from '../../../core/logger';
import { loadTopologyText, type CompiledTopology } from '../../../topology';

const topologyText = `name: seam-app
processing: { sessionTimeout: 6s, commitInterval: 1h, stateDir: ${os.tmpdir()}/seam-app-state }
sources:
  in: { topic: in-t, value: json }
pipelines:
  main: { from: in, to: out }
sinks:
  out: { topic: out-t, value: json }
`;

/** Records what the app asks; sends fail with `sendError` when set. */
class ScriptedClient implements KafkaClient {
  readonly library = 'scripted';
  readonly events: string[] = [];
  readonly sent: TopicMessages[] = [];
  consumerOptions?: GroupConsumerOptions;
  handlers?: GroupConsumerHandlers;
  sendError?: Error;
  /** When set, sends wait for it before they are acknowledged (a slow broker). */
  sendGate?: Promise<void>;
  /** When set, offset commits (and transaction commits) wait for it: 'commit …' is logged once it passed. */
  commitGate?: Promise<void>;
  commitError?: Error;
  /** Time retention the scripted cluster reports per topic. */
  retention = new Map<string, number>();

  async checkConnection(): Promise<void> {}

  async admin(): Promise<KafkaAdmin> {
    return {
      listTopics: async () => ['in-t', 'a-t', 'b-t', 'out-t', 'seam-app-dlq', 'seam-app-alignment'],
      createTopics: async () => { this.events.push('create topics'); },
      partitionCounts: async (topics) => new Map(topics.map((t) => [t, 1])),
      topicOffsets: async () => [],
      groupOffsets: async () => [],
      describeGroup: async (groupId) => ({ groupId, state: 'Empty', members: [] }),
      deleteTopics: async () => undefined,
      offsetsForTimestamp: async () => [],
      setGroupOffsets: async () => undefined,
      deleteRecordsBefore: async () => undefined,
      timeRetentionMs: async (topics) => new Map([...this.retention].filter(([t]) => topics.includes(t))),
      close: async () => undefined,
    };
  }

  async producer(): Promise<KafkaProducer> {
    return {
      send: async (topicMessages) => {
        // Event-time frontiers go out every 200 ms (alignment-exchange.ts); the script follows the task's sends.
        if (topicMessages.every((t) => t.topic === 'seam-app-alignment')) return [];
        if (this.sendError) throw this.sendError;
        this.events.push('send');
        if (this.sendGate) {
          await this.sendGate;
          this.events.push('acked');
        }
        this.sent.push(...topicMessages);
        return topicMessages.map((t) => ({ topic: t.topic, partition: 0, baseOffset: '0' }));
      },
      close: async () => undefined,
    };
  }

  /** Transactions log 'begin', 'send', 'commit <offsets>' (after commitGate) and 'abort'. */
  async transactionalProducer(): Promise<TransactionalProducer> {
    return {
      begin: async (): Promise<KafkaTransaction> => {
        this.events.push('begin');
        let offsets = '';
        return {
          send: async (topicMessages) => {
            this.events.push('send');
            this.sent.push(...topicMessages);
            return topicMessages.map((t) => ({ topic: t.topic, partition: 0, baseOffset: '0' }));
          },
          sendOffsets: async (_groupId, o) => { offsets = o.map((x) => `${x.topic}/${x.partition}@${x.offset}`).join(','); },
          commit: async () => {
            await this.commitGate;
            if (this.commitError) throw this.commitError;
            this.events.push(`commit ${offsets}`);
          },
          abort: async () => { this.events.push('abort'); },
        };
      },
      close: async () => undefined,
    };
  }

  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    this.consumerOptions = options;
    return {
      run: async (handlers) => { this.handlers = handlers; },
      seek: (topic, partition, offset) => { this.events.push(`seek ${topic}/${partition}@${offset}`); },
      pause: (topic, partition) => { this.events.push(`pause ${topic}/${partition}`); },
      resume: (topic, partition) => { this.events.push(`resume ${topic}/${partition}`); },
      commitOffsets: async (offsets) => {
        await this.commitGate;
        if (this.commitError) throw this.commitError;
        this.events.push(`commit ${offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(',')}`);
      },
      stop: async () => undefined,
      close: async () => undefined,
    };
  }

  /** Only the alignment exchange reads ranges here: it follows the topic until stopped. */
  readRanges(_ranges: unknown, _onBatch: unknown, options: { signal?: AbortSignal }): Promise<void> {
    return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Errors a retry can fix (the app gives the task's work up and replays it); none unless a test says. */
  recoverable?: Error;

  isRecoverable(error: unknown): boolean {
    return error === this.recoverable;
  }

  batch(messages: ConsumedMessage[]) {
    return {
      topic: 'in-t', partition: 0, messages,
      isRunning: () => true, isStale: () => false, heartbeat: async () => undefined,
      markProcessed: (offset: string) => { this.events.push(`mark ${offset}`); },
      lag: () => 0n,
    };
  }
}

const message = (offset: string, value: string): ConsumedMessage => ({ offset, key: null, value: Buffer.from(value), timestamp: '1000' });

/** Waits (bounded) until `events` holds `expected`: commits at a rebalance run on the task's queue. */
async function eventually(events: string[], expected: string): Promise<void> {
  for (let i = 0; i < 200 && !events.includes(expected); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(events.includes(expected), `${expected} not in ${JSON.stringify(events)}`);
}

describe('StreamApp through the Kafka client seam (scripted client)', () => {
  let topology: CompiledTopology;
  before(() => {
    const loaded = loadTopologyText(topologyText, `${os.tmpdir()}/seam-app.yaml`, { env: {} });
    assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
    topology = loaded.topology;
  });

  async function started(client: ScriptedClient, onFatal: (error: unknown) => void = () => undefined, compiled: CompiledTopology = topology): Promise<StreamApp> {
    const app = new StreamApp({ topology: compiled, logger: createLogger('test', 'error'), client, createPipeline: (r) => createTaskPipeline(compiled, r), onFatal });
    await app.start();
    client.handlers!.onAssignment({ 'in-t': [0] });
    return app;
  }

  it('joins the group named after the app with the topology\'s session timeout', async () => {
    const client = new ScriptedClient();
    const app = await started(client);
    try {
      const { localTasks, groupInstanceId, ...options } = client.consumerOptions!;
      // Static membership by default: an id from the app, the host and the state directory.
      assert.match(String(groupInstanceId), /^seam-app-.+-[0-9a-f]{12}$/);
      // One input partition (the scripted admin gives every topic one): one batch at a time.
      assert.deepEqual(options, {
        groupId: 'seam-app', topics: [{ topic: 'in-t', fromBeginning: true }], maxBytesPerPartition: 1024 * 1024, topicMaxBytesPerPartition: new Map(),
        sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 60_000, heartbeatIntervalMs: 600, partitionsConsumedConcurrently: 1, coPartitionGroups: [['in-t']],
        standbyReplicas: 0, statefulGroups: new Set(), leaveGroupOnClose: true,
      });
      assert.deepEqual(localTasks?.(), {}, 'a stateless app holds no task state');
    } finally {
      await app.stop();
    }
  });

  it('produces outputs and dead letters, then marks the batch; the offset is committed at stop', async () => {
    const client = new ScriptedClient();
    const app = await started(client);
    try {
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}'), message('6', 'not json')]));
      assert.deepEqual(client.events, ['send', 'mark 6']);
      assert.deepEqual(client.sent.map((t) => [t.topic, t.messages.length]).sort(), [['out-t', 1], ['seam-app-dlq', 1]]);
    } finally {
      await app.stop();
    }
    assert.deepEqual(client.events, ['send', 'mark 6', 'commit in-t/0@7']);
  });

  it("warns once when outputs are older than the sink topic's time retention (the broker would delete them)", async () => {
    const client = new ScriptedClient();
    client.retention.set('out-t', 7 * 86_400_000);
    const lines: string[] = [];
    const app = new StreamApp({ topology, logger: createLogger('test', 'warn', { format: 'json', out: { write: (l: string) => lines.push(l) } }), client, createPipeline: (r) => createTaskPipeline(topology, r) });
    await app.start();
    try {
      client.handlers!.onAssignment({ 'in-t': [0] });
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      const warnings = lines.filter((l) => l.includes('retention'));
      assert.equal(warnings.length, 1, lines.join(''));
      assert.match(warnings[0], /sink 'out' writes records \d+ d old to topic 'out-t', which deletes records older than 7 d/);
    } finally {
      await app.stop();
    }
  });

  it('commits every commitInterval, once for the batches within it', async () => {
    const loaded = loadTopologyText(topologyText.replace('commitInterval: 1h', 'commitInterval: 300ms'), `${os.tmpdir()}/seam-app.yaml`, { env: {} });
    const client = new ScriptedClient();
    const app = new StreamApp({ topology: loaded.topology!, logger: createLogger('test', 'error'), client, createPipeline: (r) => createTaskPipeline(loaded.topology!, r) });
    await app.start();
    try {
      client.handlers!.onAssignment({ 'in-t': [0] });
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      // The app's timer commits the task, which got no batch since, once its interval has passed.
      await eventually(client.events, 'commit in-t/0@7');
      assert.deepEqual(client.events, ['send', 'mark 5', 'send', 'mark 6', 'commit in-t/0@7']);
    } finally {
      await app.stop();
    }
  });

  it('writes a latestPerKey sink at the commit, each key once with its newest value; records without a key at once', async () => {
    const text = topologyText.replace('out: { topic: out-t, value: json }', 'out: { topic: out-t, value: json, latestPerKey: true }');
    const loaded = loadTopologyText(text, `${os.tmpdir()}/seam-app.yaml`, { env: {} });
    assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
    const client = new ScriptedClient();
    const app = new StreamApp({ topology: loaded.topology, logger: createLogger('test', 'error'), client, createPipeline: (r) => createTaskPipeline(loaded.topology!, r) });
    await app.start();
    const keyed = (offset: string, key: string, value: string): ConsumedMessage => ({ ...message(offset, value), key: Buffer.from(key) });
    try {
      client.handlers!.onAssignment({ 'in-t': [0] });
      await client.handlers!.onBatch(client.batch([keyed('5', 'a', '{"n":1}'), keyed('6', 'b', '{"n":2}'), message('7', '{"n":3}')]));
      await client.handlers!.onBatch(client.batch([keyed('8', 'a', '{"n":4}')]));
      assert.deepEqual(client.events, ['send', 'mark 7', 'mark 8'], 'only the record without a key is written before the commit');
      assert.deepEqual(client.sent.flatMap((t) => t.messages.map((m) => String(m.value))), ['{"n":3}']);
    } finally {
      await app.stop();
    }
    assert.deepEqual(client.events, ['send', 'mark 7', 'mark 8', 'send', 'commit in-t/0@9'], 'held records are written before the offsets are committed');
    const atCommit = client.sent.slice(1).flatMap((t) => t.messages.map((m) => `${String(m.key)}=${String(m.value)}`));
    assert.deepEqual(atCommit, ['b={"n":2}', 'a={"n":4}'], 'each key once, newest value, in the order keys were last written');
  });

  it('encodes a latestPerKey value at the commit: a replaced value is never encoded, one its format cannot hold is dead-lettered then, with its input', async () => {
    const text = topologyText.replace('out: { topic: out-t, value: json }', 'out: { topic: out-t, value: json, latestPerKey: true }');
    const loaded = loadTopologyText(text, `${os.tmpdir()}/seam-app.yaml`, { env: {} });
    assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
    // JSON cannot hold a BigInt: the pipeline turns {"n":"big"} into one.
    const createPipeline = async (r: Parameters<typeof createTaskPipeline>[1]) => {
      const pipeline = await createTaskPipeline(loaded.topology!, r);
      const process = pipeline.process.bind(pipeline);
      pipeline.process = async (topic, records) => {
        const result = await process(topic, records);
        const big = (v: unknown) => (v as { n?: unknown }).n === 'big';
        return { ...result, outputs: result.outputs.map((o) => (big(o.record.value) ? { ...o, record: { ...o.record, value: { n: 10n } } } : o)) };
      };
      return pipeline;
    };
    const client = new ScriptedClient();
    const app = new StreamApp({ topology: loaded.topology, logger: createLogger('test', 'error'), client, createPipeline });
    await app.start();
    const keyed = (offset: string, key: string, value: string): ConsumedMessage => ({ ...message(offset, value), key: Buffer.from(key) });
    try {
      client.handlers!.onAssignment({ 'in-t': [0] });
      await client.handlers!.onBatch(client.batch([keyed('5', 'a', '{"n":"big"}'), keyed('6', 'a', '{"n":2}'), keyed('7', 'c', '{"n":"big"}')]));
      assert.equal(client.sent.length, 0, 'nothing is encoded or written before the commit');
    } finally {
      await app.stop();
    }
    assert.deepEqual(client.events, ['mark 7', 'send', 'commit in-t/0@8'], 'held records and their dead letters are written before the offsets are committed');
    const byTopic = new Map(client.sent.map((t) => [t.topic, t.messages]));
    assert.deepEqual(byTopic.get('out-t')?.map((m) => `${String(m.key)}=${String(m.value)}`), ['a={"n":2}'], "a's unwritable value was replaced before the commit: no dead letter for it");
    const dead = byTopic.get('seam-app-dlq') ?? [];
    assert.equal(dead.length, 1);
    assert.equal(String(dead[0].headers?.['tributary.source.offset']), '7');
    assert.equal(String(dead[0].value), '{"n":"big"}', 'the dead letter holds the input bytes');
    assert.match(String(dead[0].headers?.['tributary.error.message']), /JSON/);
  });

  it('skips what a kept task already committed when the client resumes it from an older group offset after a rebalance', async () => {
    const client = new ScriptedClient();
    const app = await started(client);
    try {
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}'), message('6', '{"n":2}')]));
      // A rebalance keeps the partition here: the task commits what it has pending, and the
      // client fetched a group offset older than that commit.
      client.handlers!.onAssignment({ 'in-t': [0] });
      await eventually(client.events, 'commit in-t/0@7');
      client.events.length = 0;
      client.sent.length = 0;
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}'), message('6', '{"n":2}'), message('7', '{"n":3}')]));
      assert.deepEqual(client.events, ['send', 'mark 7']);
      assert.deepEqual(client.sent.map((t) => [t.topic, t.messages.length]), [['out-t', 1]], 'only offset 7 is processed again');
      client.events.length = 0;
      client.handlers!.onAssignment({ 'in-t': [0] });
      await eventually(client.events, 'commit in-t/0@8');
      client.events.length = 0;
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      assert.deepEqual(client.events, ['mark 6'], 'a batch wholly committed is only marked');
      // The partition leaves and comes back: another member may have moved on, so nothing is skipped.
      client.handlers!.onAssignment({});
      client.handlers!.onAssignment({ 'in-t': [0] });
      client.events.length = 0;
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      // The batch may come before the assignment is applied (after the last one's task closed):
      // its records wait in the task until the partition counts as assigned.
      await eventually(client.events, 'send');
      assert.deepEqual(client.events.filter((e) => !e.startsWith('commit')).sort(), ['mark 6', 'send']);
    } finally {
      await app.stop();
    }
  });

  it('heartbeats while a long batch runs (the client only heartbeats between batches)', async () => {
    const loaded = loadTopologyText(topologyText.replace('sessionTimeout: 6s', 'sessionTimeout: 1s'), `${os.tmpdir()}/seam-app.yaml`, { env: {} });
    const short = loaded.topology!;
    const client = new ScriptedClient();
    const slowPipeline = { process: async () => { await new Promise((r) => setTimeout(r, 450)); return { outputs: [], repartition: [], failures: [] }; } };
    const app = new StreamApp({ topology: short, logger: createLogger('test', 'error'), client, createPipeline: async () => slowPipeline });
    await app.start();
    try {
      client.handlers!.onAssignment({ 'in-t': [0] });
      let beats = 0;
      await client.handlers!.onBatch({ ...client.batch([message('5', '{"n":1}')]), heartbeat: async () => { beats++; } });
      // Every 100 ms (a tenth of the session timeout) during a 450 ms batch.
      assert.ok(beats >= 3, `${beats} heartbeats`);
      assert.deepEqual(client.events, ['mark 5']);
    } finally {
      await app.stop();
    }
  });

  it('stops the app when the client says its consumer is down for good', async () => {
    const client = new ScriptedClient();
    let fatal: unknown;
    const app = await started(client, (error) => { fatal = error; });
    try {
      client.handlers!.onFailure(new Error('consumer crashed: not retriable'));
      assert.equal((fatal as Error | undefined)?.message, 'consumer crashed: not retriable');
    } finally {
      await app.stop();
    }
  });

  /** An app whose sends wait for `ack()` (a slow broker), after a first batch (offset 5) went through. */
  async function afterFirstBatchWithHeldSends(): Promise<{ client: ScriptedClient; app: StreamApp; ack: () => void }> {
    const client = new ScriptedClient();
    const app = await started(client);
    let ack!: () => void;
    client.sendGate = new Promise<void>((resolve) => { ack = resolve; });
    await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
    return { client, app, ack };
  }

  it('processes the next batch while the last one\'s outputs are unacknowledged, and commits only after every acknowledgement', async () => {
    const { client, app, ack } = await afterFirstBatchWithHeldSends();
    try {
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      // The second batch's send is queued behind the first (one send at a time keeps a key's records in order).
      assert.deepEqual(client.events, ['send', 'mark 5', 'mark 6'], 'both batches ran while the first send waited');
      const stopping = app.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(!client.events.some((e) => e.startsWith('commit')), `no commit before the acknowledgements: ${client.events.join(', ')}`);
      ack();
      await stopping;
      assert.deepEqual(client.events.slice(3), ['acked', 'send', 'acked', 'commit in-t/0@7']);
    } finally {
      ack();
      await app.stop();
    }
  });

  it('sends a task\'s batches in order: a slow (retried) send is not overtaken by the next batch\'s', async () => {
    const { client, app, ack } = await afterFirstBatchWithHeldSends();
    try {
      // Only the first send is slow: the next one would be acknowledged at once if it started.
      client.sendGate = undefined;
      await client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(client.sent.length, 0, 'nothing acknowledged while the first send waits');
      ack();
      await app.stop();
      assert.deepEqual(client.sent.flatMap((t) => t.messages.map((m) => String(m.value))), ['{"n":1}', '{"n":2}']);
    } finally {
      ack();
      await app.stop();
    }
  });

  it('never commits a batch whose produce failed, and stops the app with the error at the next batch', async () => {
    const client = new ScriptedClient();
    let fatal: unknown;
    const app = await started(client, (error) => { fatal = error; });
    try {
      client.sendError = new Error('broker said no');
      // The send is in flight while the next batch is fetched: the batch is marked, not committed.
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      await assert.rejects(client.handlers!.onBatch(client.batch([message('6', '{"n":2}')])), /broker said no/);
      assert.ok(!client.events.some((e) => e.startsWith('commit')), client.events.join(', '));
      assert.equal((fatal as Error | undefined)?.message, 'broker said no');
    } finally {
      await app.stop();
    }
  });

  /** The seam topology with every batch committing, under `guarantee`. */
  function committingEveryBatch(guarantee: string): CompiledTopology {
    const text = topologyText.replace('commitInterval: 1h', `commitInterval: 0ms, guarantee: ${guarantee}`);
    const loaded = loadTopologyText(text, `${os.tmpdir()}/seam-app-${guarantee}.yaml`, { env: {} });
    assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
    return loaded.topology;
  }

  it('processes and produces the next batch while the last commit is pending (at_least_once)', async () => {
    const client = new ScriptedClient();
    const app = await started(client, undefined, committingEveryBatch('at_least_once'));
    let release!: () => void;
    client.commitGate = new Promise<void>((resolve) => { release = resolve; });
    try {
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      const next = client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      // Batch 6's output goes out while batch 5's offsets are still being committed.
      for (let i = 0; i < 200 && client.events.filter((e) => e === 'send').length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(client.events, ['send', 'mark 5', 'send'], 'the second batch was produced before the first commit ended');
      release();
      await next;
      await eventually(client.events, 'commit in-t/0@7');
      assert.deepEqual(client.events.slice(0, 4), ['send', 'mark 5', 'send', 'commit in-t/0@6'], 'the first commit ends before the next begins');
      assert.deepEqual(client.events.slice(4).sort(), ['commit in-t/0@7', 'mark 6']);
    } finally {
      release();
      await app.stop();
    }
  });

  it('sends the next batch into the next transaction only after the last one committed (exactly_once)', async () => {
    const client = new ScriptedClient();
    const app = await started(client, undefined, committingEveryBatch('exactly_once'));
    let release!: () => void;
    client.commitGate = new Promise<void>((resolve) => { release = resolve; });
    try {
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      const next = client.handlers!.onBatch(client.batch([message('6', '{"n":2}')]));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(client.events, ['begin', 'send', 'mark 5'], 'nothing of batch 6 enters the transaction being committed');
      release();
      await next;
      await eventually(client.events, 'commit in-t/0@7');
      assert.deepEqual(client.events.slice(0, 6), ['begin', 'send', 'mark 5', 'commit in-t/0@6', 'begin', 'send']);
      assert.deepEqual(client.events.slice(6).sort(), ['commit in-t/0@7', 'mark 6']);
    } finally {
      release();
      await app.stop();
    }
  });

  it('surfaces a commit that failed while the next batch ran: that batch fails and nothing after it is committed', async () => {
    const client = new ScriptedClient();
    let fatal: unknown;
    const app = await started(client, (error) => { fatal = error; }, committingEveryBatch('at_least_once'));
    try {
      client.commitError = new Error('offset commit refused');
      await client.handlers!.onBatch(client.batch([message('5', '{"n":1}')]));
      await assert.rejects(client.handlers!.onBatch(client.batch([message('6', '{"n":2}')])), /offset commit refused/);
      assert.ok(!client.events.some((e) => e.startsWith('commit')), client.events.join(', '));
      assert.equal((fatal as Error | undefined)?.message, 'offset commit refused');
    } finally {
      await app.stop();
    }
  });

  describe('two input partitions of one task: buffered, processed in event-time order', () => {
    /** The app over a task reading a-t/0 and b-t/0 (one sub-topology), with `processing` settings added. */
    async function twoLaneApp(client: ScriptedClient, processing = '', maxBytesPerPartition?: number): Promise<StreamApp> {
      const text = topologyText
        .replace('commitInterval: 1h', `commitInterval: 1h${processing}`)
        .replace('sources:\n  in: { topic: in-t, value: json }', 'sources:\n  a: { topic: a-t, value: json }\n  b: { topic: b-t, value: json }')
        .replace('main: { from: in, to: out }', 'main: { from: [a, b], to: out }');
      const loaded = loadTopologyText(text, `${os.tmpdir()}/seam-app.yaml`, { env: {} });
      assert.ok(loaded.topology, loaded.problems.map((p) => p.message).join('; '));
      const app = new StreamApp({
        topology: loaded.topology, logger: createLogger('test', 'error'), client, createPipeline: (r) => createTaskPipeline(loaded.topology!, r),
        ...(maxBytesPerPartition ? { maxBytesPerPartition } : {}),
      });
      await app.start();
      client.handlers!.onAssignment({ 'a-t': [0], 'b-t': [0] });
      return app;
    }
    const batch = (client: ScriptedClient, topic: string, messages: Array<[offset: number, time: number]>, lag = 0n) => ({
      topic, partition: 0, messages: messages.map(([o, t]): ConsumedMessage => ({ offset: String(o), key: null, value: Buffer.from(`{"t":${t}}`), timestamp: String(t) })),
      isRunning: () => true, isStale: () => false, heartbeat: async () => undefined,
      markProcessed: (offset: string) => { client.events.push(`mark ${topic} ${offset}`); }, lag: () => lag,
    });
    const outputTimes = (client: ScriptedClient) =>
      client.sent.filter((t) => t.topic === 'out-t').flatMap((t) => t.messages.map((m) => (JSON.parse(String(m.value)) as { t: number }).t));

    it('keeps a held batch in the task and processes it as the other partition moves, never fetching it again', async () => {
      const client = new ScriptedClient();
      const app = await twoLaneApp(client);
      try {
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 10], [101, 20], [102, 30]])); // b not seen yet: a waits whole
        assert.deepEqual(outputTimes(client), []);
        await client.handlers!.onBatch(batch(client, 'b-t', [[200, 15], [201, 25]]));
        assert.deepEqual(outputTimes(client), [10, 15, 20, 25, 30], 'both partitions merged by event time');
        assert.deepEqual(client.events.filter((e) => e.startsWith('mark')), ['mark a-t 102', 'mark b-t 201'], 'each batch marked once: the client fetches on past it');
        // The client delivers a's batch again (a rebalance resumes from the committed offset): nothing twice.
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 10], [101, 20], [102, 30], [103, 40]]));
        assert.deepEqual(outputTimes(client), [10, 15, 20, 25, 30, 40]);
      } finally {
        await app.stop();
      }
    });

    it('processes a held batch once the silent partition goes idle (processing.maxTaskIdle), with no batch to drive it', async () => {
      const client = new ScriptedClient();
      const app = await twoLaneApp(client, ', maxTaskIdle: 200ms');
      try {
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 10], [101, 20]]));
        for (let i = 0; i < 300 && outputTimes(client).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(outputTimes(client), [10, 20]);
      } finally {
        await app.stop();
      }
    });

    it('processes no buffered input between the commit before a rebalance and the assignment after it', async () => {
      const client = new ScriptedClient();
      const app = await twoLaneApp(client, ', maxTaskIdle: 100ms');
      try {
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 10], [101, 20]])); // waits for b to go idle
        await client.handlers!.onRevoking!();
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(outputTimes(client), [], 'the task may be moving: what it processed now could not be committed');
        await client.handlers!.onBatch(batch(client, 'b-t', [[200, 15]])); // a batch still in flight is buffered, not processed
        assert.deepEqual(outputTimes(client), []);
        client.handlers!.onAssignment({ 'a-t': [0], 'b-t': [0] });
        for (let i = 0; i < 300 && outputTimes(client).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(outputTimes(client), [10, 15, 20]);
      } finally {
        await app.stop();
      }
    });

    it('pauses a partition while its task buffers a fetch\'s worth of it, and resumes it once the buffer is worked down', async () => {
      const client = new ScriptedClient();
      const app = await twoLaneApp(client, '', 16);
      try {
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 10], [101, 20]])); // 2 × 8 bytes held: the bound
        assert.deepEqual(client.events.filter((e) => /^(pause|resume)/.test(e)), ['pause a-t/0']);
        await client.handlers!.onBatch(batch(client, 'b-t', [[200, 30]]));
        assert.deepEqual(client.events.filter((e) => /^(pause|resume)/.test(e)), ['pause a-t/0', 'resume a-t/0']);
        assert.deepEqual(outputTimes(client), [10, 20, 30]);
      } finally {
        await app.stop();
      }
    });

    it('seeks a partition whose records were only buffered back to the first of them when the task\'s work is given up', async () => {
      const client = new ScriptedClient();
      client.recoverable = new Error('coordinator moved');
      const app = await twoLaneApp(client, '', undefined);
      try {
        await client.handlers!.onBatch(batch(client, 'a-t', [[100, 50]]));
        await client.handlers!.onBatch(batch(client, 'b-t', [[200, 10], [201, 20]], 5n)); // b goes up to a's 50; a waits for b's next
        assert.deepEqual(outputTimes(client), [10, 20]);
        client.sendError = client.recoverable;
        await client.handlers!.onBatch(batch(client, 'b-t', [[202, 30]], 5n)); // its send fails; the next batch learns it
        await assert.rejects(client.handlers!.onBatch(batch(client, 'b-t', [[203, 35]], 5n)), (e) => e === client.recoverable);
        assert.deepEqual(client.events.filter((e) => e.startsWith('seek')).sort(), ['seek a-t/0@100', 'seek b-t/0@200'],
          'a\'s record was marked but never processed: without the seek it would be lost');
      } finally {
        await app.stop();
      }
    });
  });
});
