/**
 * Flagship quality and cost, in process (no Kafka): replays a generated
 * home-feed stream through the recommender logic with the shipped model on a
 * local scoring pool, and prints HitRate@K and NDCG@K of the emitted lists on
 * the held-out engagements next to the decayed-popularity baseline computed
 * on the same stream, as ratios; plus events/s, updates and scored
 * candidates/s of the replay.
 *
 *   node dist/bench/flagship-quality.js [--events 30000] [--seeds 7,11] [--workers 1]
 */
import { replayHomeFeed, startRankerPool } from '../examples/home-feed/home-feed-replay';
import { evaluatePrequential, formatEvaluationReport } from '../examples/home-feed/evaluate/prequential-evaluation';
import { formatMachineBanner, machineInfo } from '../test/helpers/machine-info';
import { integerOption, listOption } from '../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../test/helpers/script-options';

const options = scriptCommand('dist/bench/flagship-quality.js', 'flagship quality and cost in process (no Kafka): HitRate@K and NDCG@K vs the decayed-popularity baseline')
  .option('--events <n>', 'generated events per seed', integerOption('--events', 1), 30_000)
  .option('--seeds <list>', 'generator seeds, comma-separated (one replay each)', listOption(integerOption('--seeds', 0)), [7, 11])
  .option('--workers <n>', 'local scoring worker threads', integerOption('--workers', 1), 1);

async function main(): Promise<void> {
  const { events, seeds, workers } = parseScriptOptions<{ events: number; seeds: number[]; workers: number }>(options);
  process.stdout.write(`${formatMachineBanner(machineInfo())}\n`);
  process.stdout.write(`command: node dist/bench/flagship-quality.js --events ${events} --seeds ${seeds.join(',')} --workers ${workers}\n`);
  const { pool, scorer } = await startRankerPool(workers);
  try {
    for (const seed of seeds) {
      const started = Date.now();
      const result = await replayHomeFeed({
        generator: { seed, totalEvents: events, users: Math.round(events / 50), initialPins: Math.round(events / 30) },
        scorer,
      });
      const seconds = (Date.now() - started) / 1000;
      const report = evaluatePrequential({ engagements: result.engagements, holdout: result.holdout, recommendations: result.recommendations, ks: [10, 25] });
      process.stdout.write(`\nseed ${seed}: ${events} generated events (${result.events} replayed, ${result.holdout.length} held out)\n`);
      process.stdout.write(`${formatEvaluationReport(report)}\n`);
      report.flagship.forEach((f, i) => {
        const b = report.baseline[i];
        process.stdout.write(`ratio vs baseline @${f.k}: HitRate ${(f.hitRate / b.hitRate).toFixed(2)}x, NDCG ${(f.ndcg / b.ndcg).toFixed(2)}x\n`);
      });
      const s = result.stats;
      process.stdout.write(`replay: ${(result.events / seconds).toFixed(0)} events/s, ${s.updatesComputed} updates computed (${(s.updatesComputed / seconds).toFixed(1)}/s), `
        + `${s.updatesEmitted} emitted, ${(s.candidatesScored / seconds).toFixed(0)} candidates scored/s, ${(s.candidatesScored / Math.max(1, s.updatesComputed)).toFixed(0)} candidates per update\n`);
    }
  } finally {
    await pool.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`flagship-quality: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
