import { Kafka, logLevel } from 'kafkajs';

const BROKER = '127.0.0.1:9092';

/** A kafkajs client for the local broker; fails (never skips) with how to start it when it is not there. */
export async function localKafka(): Promise<Kafka> {
  const kafka = new Kafka({ clientId: 'tributary-state-it', brokers: [BROKER], logLevel: logLevel.ERROR, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${BROKER} (${(error as Error).message}): run \`npm run services:start\``);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return kafka;
}
