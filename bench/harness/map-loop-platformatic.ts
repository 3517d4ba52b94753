import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Consumer, Producer, type Message } from '@platformatic/kafka';
import { createMapWork, type MapLoopWiring } from './map-loop-work';
import { watchOutput } from '../../test/helpers/output-watch';

/**
 * The same hand-written loop as {@link kafkajsMapLoop} on `@platformatic/kafka` (the maintained
 * pure-TypeScript client issue 4 asks us to measure): the messages one fetch delivers (one
 * event-loop turn of the stream) form a batch, which is mapped, produced (acks=all, idempotent)
 * and committed per partition before the stream resumes.
 */
const SEND_SLICE = 2000;

export async function platformaticMapLoop(w: MapLoopWiring): Promise<number> {
  const work = await createMapWork(w);
  const bootstrapBrokers = [...w.brokers];
  const producer = new Producer({ clientId: 'bench-platformatic-loop', bootstrapBrokers, idempotent: true, acks: -1 });
  const consumer = new Consumer({ groupId: `baseline-${randomUUID()}`, clientId: 'bench-platformatic-loop', bootstrapBrokers, maxBytesPerPartition: 1024 * 1024 });
  // The output is watched with kafkajs admin calls, as for every other loop.
  const watcher = new Kafka({ clientId: 'bench-watch', brokers: bootstrapBrokers, logLevel: logLevel.NOTHING });
  const watch = watchOutput(watcher, w.output, w.records);
  const started = Date.now();
  const stream = await consumer.consume({ topics: [w.input], mode: 'earliest', autocommit: false });
  let pending: Message[] = [];
  let scheduled = false;
  let failure: unknown;
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    const messages = batch.map((m) => ({ topic: w.output, key: m.key, value: work(m.value), partition: m.partition, timestamp: m.timestamp }));
    // One request stays far below the broker's 1 MiB record-batch limit (as chunkTopicMessages does for kafkajs).
    for (let i = 0; i < messages.length; i += SEND_SLICE) await producer.send({ messages: messages.slice(i, i + SEND_SLICE) });
    const lastPerPartition = new Map<number, Message>();
    for (const m of batch) lastPerPartition.set(m.partition, m);
    await Promise.all([...lastPerPartition.values()].map((m) => m.commit()));
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      stream.pause();
      flush().then(() => {
        scheduled = false;
        stream.resume();
        if (pending.length > 0) schedule();
      }, (error: unknown) => { failure = error; watch.stop(); });
    });
  };
  stream.on('data', (m: Message) => {
    pending.push(m);
    schedule();
  });
  const result = await watch.result;
  // Steady state: from the first output to the last, so start-up (group join) counts for no loop.
  const elapsed = ((result.doneMs ?? Date.now() - started) - (result.firstMs ?? 0)) / 1000;
  await stream.close();
  await consumer.close(true);
  await producer.close();
  if (failure !== undefined) throw failure;
  if (result.doneMs === null) throw new Error(`the @platformatic/kafka loop produced ${result.finalSpan} of ${w.records} records`);
  return w.records / elapsed;
}
