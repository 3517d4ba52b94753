/**
 * Child-process entry that runs the flagship application (examples/home-feed) exactly as the
 * demo does, `startHomeFeedApp` with its local scoring pool and tuned fetch size, wired by the
 * topology's environment variables (APP_ID, STATE_DIR, IMAGES_TOPIC, ENGAGEMENTS_TOPIC,
 * RECOMMENDATIONS_TOPIC, KAFKA_BROKERS, SCHEMA_REGISTRY_URL). A process of its own keeps the
 * application's event loop apart from the benchmark's producer and latency consumer.
 *
 *   node dist/bench/harness/flagship-app-child.js     # prints FLAGSHIP_APP_READY, stops on SIGTERM
 */
// First: kafkajs' fixes (read_committed, produce grouping) must be in place before kafkajs loads (see the module).
import '../../runtime/kafka/client/kafkajs/kafkajs-patches';
import { createLogger } from '../../core/logger';
import { startHomeFeedApp } from '../../examples/home-feed/home-feed-app';

/** The line the child prints on stdout once the application has joined its group. */
export const FLAGSHIP_APP_READY = 'FLAGSHIP_APP_READY';
/** Prefix of the line (then JSON {@link FlagshipAppStats}) the child prints when told to stop: the work it did. */
export const FLAGSHIP_APP_STATS = 'FLAGSHIP_APP_STATS ';

/** What the child's scoring pool did: how much ranking work the input caused (it varies with timing). */
export interface FlagshipAppStats {
  /** Rows (candidates) scored. */
  readonly scoredRows: number;
  /** Model executions (batches). */
  readonly executions: number;
}

/** Starts the application; resolves when it has stopped after SIGTERM/SIGINT (exit code 0) or failed (1). */
export async function runFlagshipAppChild(): Promise<number> {
  let fail!: (error: unknown) => void;
  const failed = new Promise<number>((resolve) => {
    fail = (error) => {
      process.stderr.write(`flagship app failed: ${error instanceof Error ? error.message : String(error)}\n`);
      resolve(1);
    };
  });
  const app = await startHomeFeedApp({ env: {}, logger: createLogger('home-feed', 'warn'), onFatal: (error) => fail(error) });
  process.stdout.write(`${FLAGSHIP_APP_READY}\n`);
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (): void => resolve(0);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  const code = await Promise.race([stopped, failed]);
  const stats: FlagshipAppStats = app.pool.models.map((m) => app.pool.statistics(m))
    .reduce((sum, s) => ({ scoredRows: sum.scoredRows + s.inferenceCount, executions: sum.executions + s.executionCount }), { scoredRows: 0, executions: 0 });
  process.stdout.write(`${FLAGSHIP_APP_STATS}${JSON.stringify(stats)}\n`);
  await app.stop();
  return code;
}

if (require.main === module) {
  runFlagshipAppChild().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`flagship app did not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
