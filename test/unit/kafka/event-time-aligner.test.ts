import { strict as assert } from 'node:assert';
import { EventTimeAligner } from '../../../runtime/kafka/event-time-aligner';

/** Feeds each lane's queue through the aligner in rounds (as fetches would) and returns the processing order. */
function drain(aligner: EventTimeAligner, lanes: Record<string, { task: string; times: number[] }>, batch = 3): Array<{ lane: string; time: number }> {
  const order: Array<{ lane: string; time: number }> = [];
  for (let round = 0; round < 10_000 && Object.values(lanes).some((l) => l.times.length > 0); round++) {
    for (const [lane, l] of Object.entries(lanes)) {
      if (l.times.length === 0) continue;
      const fetched = l.times.slice(0, batch);
      const n = aligner.admit(lane, l.task, fetched);
      if (n === 0) continue;
      const done = l.times.splice(0, n);
      for (const time of done) order.push({ lane, time });
      aligner.processed(lane, done[done.length - 1], l.times.length === 0);
    }
  }
  return order;
}

describe('EventTimeAligner', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => { now = 0; });

  it("takes a task's lanes in timestamp order (a table row older than a stream record is processed first)", () => {
    const aligner = new EventTimeAligner(10_000, 500, clock);
    aligner.assign([{ lane: 'table/0', task: '1_0' }, { lane: 'stream/0', task: '1_0' }]);
    aligner.taskReady('1_0');
    const order = drain(aligner, {
      'stream/0': { task: '1_0', times: [150, 250, 260, 400, 410, 900] },
      'table/0': { task: '1_0', times: [100, 200, 300, 350, 800] },
    });
    assert.equal(order.length, 11);
    assert.deepEqual(order.map((o) => o.time), [...order.map((o) => o.time)].sort((x, y) => x - y));
  });

  it('keeps lanes of different tasks within maxSkew of each other over a backlog', () => {
    const skew = 1_000;
    const aligner = new EventTimeAligner(skew, 500, clock);
    aligner.assign([{ lane: 'in/0', task: '0_0' }, { lane: 'in/1', task: '0_1' }, { lane: 'in/2', task: '0_2' }]);
    for (const t of ['0_0', '0_1', '0_2']) aligner.taskReady(t);
    const times = (start: number): number[] => Array.from({ length: 200 }, (_, i) => start + i * 100);
    const order = drain(aligner, { 'in/0': { task: '0_0', times: times(0) }, 'in/1': { task: '0_1', times: times(7_000) }, 'in/2': { task: '0_2', times: times(3_000) } }, 50);
    assert.equal(order.length, 600);
    // What a window behind a repartition sees: no record older than an earlier one by more than the skew.
    let high = -Infinity;
    for (const o of order) {
      assert.ok(o.time >= high - skew, `record at ${o.time} came after ${high}: disorder above the ${skew} ms bound`);
      high = Math.max(high, o.time);
    }
  });

  it('holds only lanes that align across tasks to other tasks, and only by such lanes', () => {
    const acrossTasks = (lane: string): boolean => lane.startsWith('up/');
    const aligner = new EventTimeAligner(1_000, 500, clock, undefined, acrossTasks);
    aligner.assign([{ lane: 'up/0', task: '0_0' }, { lane: 'up/1', task: '0_1' }, { lane: 'sink-only/0', task: '1_0' }, { lane: 'sink-only/1', task: '1_1' }]);
    for (const t of ['0_0', '0_1', '1_0', '1_1']) aligner.taskReady(t);
    assert.equal(aligner.admit('up/0', '0_0', [500, 1_000, 1_500]), 0, 'an upstream lane waits for the other upstream task');
    assert.equal(aligner.admit('up/1', '0_1', [0]), 1);
    aligner.processed('up/1', 0, false);
    assert.equal(aligner.admit('up/0', '0_0', [500, 1_000, 1_500]), 2, 'an upstream lane runs at most maxSkew ahead of the other upstream task');
    assert.equal(aligner.admit('sink-only/0', '1_0', [10_000, 60_000]), 2, 'a lane whose records never merge with other tasks is not held back by them (sink-only/1 is unseen)');
    aligner.processed('sink-only/0', 60_000, false);
    aligner.setRemote('other-process', new Map([['up/7', 0], ['sink-only/7', -Infinity]]));
    assert.equal(aligner.admit('sink-only/0', '1_0', [70_000]), 1, 'nor by other processes');
  });

  it('lets an unseen lane hold the others only until maxTaskIdle, then ignores it', () => {
    const aligner = new EventTimeAligner(0, 500, clock);
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'b/0', task: '0_0' }]);
    now = 10_000;
    assert.equal(aligner.admit('a/0', '0_0', [10, 20]), 0, 'while its task restores, b/0 holds the others however long that takes');
    now = 0;
    aligner.taskReady('0_0');
    assert.equal(aligner.admit('a/0', '0_0', [10, 20]), 0, 'b/0 may still bring older records');
    now = 499;
    assert.equal(aligner.admit('a/0', '0_0', [10, 20]), 0);
    now = 500;
    assert.equal(aligner.admit('a/0', '0_0', [10, 20]), 2, 'b/0 counts as idle');
  });

  it("aligns with other processes' reported lanes, and forgets a process that stopped reporting", () => {
    const aligner = new EventTimeAligner(1_000, 500, clock, 3_000);
    aligner.assign([{ lane: 'a/0', task: '0_0' }]);
    aligner.taskReady('0_0');
    aligner.setRemote('other', new Map([['a/1', 5_000], ['b/0', Infinity]]));
    assert.equal(aligner.admit('a/0', '0_0', [5_500, 6_000, 6_001]), 2, 'up to the remote frontier plus the skew');
    aligner.setRemote('other', new Map([['a/1', -Infinity]]));
    assert.equal(aligner.admit('a/0', '0_0', [5_500]), 0, 'a remote lane whose task restores blocks');
    now = 3_001;
    assert.equal(aligner.admit('a/0', '0_0', [5_500]), 1, 'a report older than the stale time is ignored');
    assert.deepEqual(aligner.report(), [['a/0', 5_500]]);
  });

  it('does not let a caught-up lane hold anyone back, and tells onProgress when a lane moves', () => {
    const aligner = new EventTimeAligner(0, 60_000, clock);
    let progress = 0;
    aligner.onProgress = () => { progress++; };
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'b/0', task: '0_0' }]);
    aligner.taskReady('0_0');
    let before = progress;
    assert.equal(aligner.admit('b/0', '0_0', [5]), 0, 'a/0 unseen');
    assert.equal(progress, before + 1, 'b/0\'s head is known now: lanes it held may go');
    before = progress;
    assert.equal(aligner.admit('b/0', '0_0', [5]), 0);
    assert.equal(progress, before, 'the same head again moves nobody');
    aligner.processed('a/0', 3, true);
    assert.equal(progress, before + 1);
    assert.equal(aligner.admit('b/0', '0_0', [5, 6_000_000]), 2);
  });

  it('admits nothing of a lane not assigned here, and does not take it in (a revoked task draining would hold everyone)', () => {
    const aligner = new EventTimeAligner(0, 60_000, clock);
    aligner.assign([{ lane: 'a/0', task: '0_0' }]);
    aligner.taskReady('0_0');
    assert.equal(aligner.admit('a/1', '0_1', [5]), 0);
    assert.deepEqual(aligner.report().map(([lane]) => lane), ['a/0']);
    assert.equal(aligner.admit('a/0', '0_0', [5]), 1, 'a/1 holds nobody');
  });

  it('holds the others to a lane it handed over at a rebalance until the new owner reports it, or its last frontier goes stale', () => {
    let now = 0;
    const aligner = new EventTimeAligner(1_000, 1_000, () => now);
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'a/1', task: '0_1' }]);
    aligner.taskReady('0_0');
    aligner.taskReady('0_1');
    aligner.buffered('a/1', 10_000);
    aligner.assign([{ lane: 'a/0', task: '0_0' }]); // a/1 went to another process
    assert.equal(aligner.admit('a/0', '0_0', [10_000, 11_000, 12_000]), 2, 'a/1 still counts at 10 s (+ the 1 s skew)');
    aligner.setRemote('other', new Map([['a/1', 20_000]]));
    assert.equal(aligner.admit('a/0', '0_0', [10_000, 11_000, 12_000]), 3, "the new owner's report replaces it");
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'a/2', task: '0_2' }]);
    aligner.taskReady('0_2');
    aligner.buffered('a/2', 5_000);
    aligner.assign([{ lane: 'a/0', task: '0_0' }]);
    aligner.setRemote('other', new Map([['a/1', 20_000]]));
    assert.equal(aligner.admit('a/0', '0_0', [10_000]), 0, 'a/2 was never reported: it holds at 5 s');
    now = 3_001;
    aligner.setRemote('other', new Map([['a/1', 20_000]]));
    assert.equal(aligner.admit('a/0', '0_0', [10_000]), 1, 'gone stale: a/2 holds nobody');
  });

  it('holds the others to a buffered head without an idle timeout: the record is there, only held', () => {
    let now = 0;
    const aligner = new EventTimeAligner(0, 1_000, () => now);
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'b/0', task: '0_0' }]);
    aligner.taskReady('0_0');
    aligner.buffered('a/0', 10);
    now = 5_000;
    assert.equal(aligner.admit('b/0', '0_0', [5, 10, 11]), 2, 'up to a/0\'s buffered head, long after the idle time');
    assert.equal(aligner.admit('b/0', '0_0', [1, 2, 5, 10, 11], 2), 2, 'counted from the first record not taken yet');
    aligner.processed('a/0', 10, false);
    now = 10_000;
    assert.equal(aligner.admit('b/0', '0_0', [11]), 1, 'with nothing buffered a lane goes idle with time');
  });

  it('marks a caught-up lane +∞ for other tasks only once its outputs are delivered, and not if another batch of it came first', async () => {
    const aligner = new EventTimeAligner(0, 60_000, clock);
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'b/1', task: '0_1' }]);
    aligner.taskReady('0_0');
    aligner.taskReady('0_1');
    let deliver!: () => void;
    aligner.processedThenCaughtUp('a/0', 3, new Promise<void>((resolve) => { deliver = resolve; }));
    assert.equal(aligner.admit('b/1', '0_1', [5]), 0, 'a/0 counts at 3 while its outputs are on their way');
    deliver();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(aligner.admit('b/1', '0_1', [5, 6_000_000]), 2, 'delivered: a/0 holds no one');

    let late!: () => void;
    aligner.processedThenCaughtUp('a/0', 6_000_001, new Promise<void>((resolve) => { late = resolve; }));
    aligner.processed('a/0', 6_000_002, false);
    late();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(aligner.admit('b/1', '0_1', [6_000_003]), 0, 'a later batch of a/0 replaced the pending mark');
  });

  it("counts a caught-up lane +∞ at once for its own task's other lanes (the task's later outputs follow)", () => {
    const aligner = new EventTimeAligner(0, 60_000, clock);
    aligner.assign([{ lane: 'a/0', task: '0_0' }, { lane: 'b/0', task: '0_0' }]);
    aligner.taskReady('0_0');
    aligner.processedThenCaughtUp('a/0', 3, new Promise<void>(() => undefined));
    assert.equal(aligner.admit('b/0', '0_0', [5, 9]), 2);
  });

  it('knows the leading edge: the latest finite frontier of any lane, local or reported, never moving back', () => {
    const aligner = new EventTimeAligner(1_000, 60_000, clock);
    aligner.assign([{ lane: 'a/0', task: '0_0' }]);
    assert.equal(aligner.leadingEdge(), -Infinity);
    aligner.admit('a/0', '0_0', [5_000, 7_000]);
    assert.equal(aligner.leadingEdge(), 5_000, 'the head of a held batch');
    aligner.processed('a/0', 7_000, true);
    assert.equal(aligner.leadingEdge(), 7_000, 'the last processed record; caught up (+∞) does not count');
    aligner.setRemote('other', new Map([['a/1', 9_000], ['a/2', Infinity], ['a/3', -Infinity]]));
    assert.equal(aligner.leadingEdge(), 9_000);
    aligner.setRemote('other', new Map([['a/1', 8_000]]));
    assert.equal(aligner.leadingEdge(), 9_000);
  });
});
