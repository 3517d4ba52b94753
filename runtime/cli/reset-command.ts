import { InvalidArgumentError } from 'commander';
import * as readline from 'node:readline/promises';
import type { CliCommand } from './cli-command';
import { loadTopology, formatProblem } from '../../topology';
import { createLogger } from '../../core/logger';
import { connectTimeoutMs } from './run-command';
import { describeResetPlan, executeApplicationReset, planApplicationReset, type ResetTarget } from '../kafka/application-reset';
import { withEnvFileOption } from './env-file';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForProblems } from './error-exit-code';
import { positiveOption } from './option-parsers';

interface ResetFlags {
  dryRun?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: number;
  deleteSinks?: boolean;
  deleteDlq?: boolean;
  yes?: boolean;
  connectTimeout?: number;
}

const isoTime = (text: string): number => {
  // An ISO 8601 date-time with a zone (Z or ±hh:mm), as Kafka's tool takes; a local time would depend on the machine.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new InvalidArgumentError(`--to-datetime must be an ISO 8601 date-time with a zone, e.g. 2026-12-03T10:00:00Z, not '${text}'`);
  }
  return Date.parse(text);
};

/**
 * `tributary reset FILE`: make an application reprocess its input from the start (or
 * a time) with fresh state, like Kafka Streams' application reset tool. It refuses
 * while the application's consumer group has active members, naming them. Exit 0
 * done (or planned, with `--dry-run`), 1 the topology is invalid, 2 usage, 3 refused
 * (members active), not confirmed, or failed.
 */
export const resetCommand: CliCommand = {
  register(program) {
    withEnvFileOption(program
      .command('reset')
      .description("reset an application to reprocess: source offsets, internal topics, local state (stop every instance first)")
      .argument('<file>', 'topology file')
      .option('--dry-run', 'print what would be done and change nothing')
      .option('--to-earliest', 'source offsets to the earliest record (default)')
      .option('--to-latest', 'source offsets to the end (skip what is there)')
      .option('--to-datetime <iso>', 'source offsets to the first record at or after this time (e.g. 2026-12-03T10:00:00Z)', isoTime)
      .option('--delete-sinks', 'also delete the sink topics')
      .option('--delete-dlq', 'also delete the dead-letter topic')
      .option('--connect-timeout <seconds>', 'how long to wait for a Kafka broker (default: TRIBUTARY_CONNECT_TIMEOUT, else 10)', positiveOption('--connect-timeout', 'number of seconds'))
      .option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal)'))
      .action(async (file: string, flags: ResetFlags) => {
        process.exitCode = await reset(file, flags);
      });
  },
};

async function reset(file: string, flags: ResetFlags): Promise<number> {
  const chosen = [flags.toEarliest, flags.toLatest, flags.toDatetime !== undefined].filter(Boolean).length;
  if (chosen > 1) {
    process.stderr.write('tributary reset: choose one of --to-earliest, --to-latest, --to-datetime\n');
    return ExitCode.usage;
  }
  const target: ResetTarget = flags.toLatest ? { kind: 'latest' }
    : flags.toDatetime !== undefined ? { kind: 'datetime', timestampMs: flags.toDatetime } : { kind: 'earliest' };

  const { topology, problems } = loadTopology(file);
  if (!topology) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    return exitCodeForProblems(problems);
  }
  const logger = createLogger('reset');
  // The Kafka runtime loads only for this command (see run-command.ts): other commands start without it.
  const { connectKafka } = await import('../kafka/kafka-connection');
  const { DEFAULT_CONNECT_TIMEOUT_MS } = await import('../kafka/stream-app');
  const client = connectKafka(topology.kafka, logger);
  await client.checkConnection(connectTimeoutMs(flags.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const admin = await client.admin();
  try {
    const plan = await planApplicationReset(topology, admin, { target, deleteSinks: flags.deleteSinks, deleteDeadLetterTopic: flags.deleteDlq });
    const lines = describeResetPlan(plan);
    if (flags.dryRun) {
      process.stdout.write(`dry run: nothing changed\n${lines.join('\n')}\n`);
      return ExitCode.ok;
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write('tributary reset: stdin is not a terminal; pass --yes to reset without confirmation\n');
        return ExitCode.usage;
      }
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question('proceed? [y/N] ');
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('nothing changed\n');
        return ExitCode.failed;
      }
    }
    await executeApplicationReset(plan, admin);
    process.stdout.write(`application ${plan.app} reset: ${plan.offsets.length} source partition(s), ${plan.deleteTopics.length} topic(s) deleted, local state removed\n`);
    return ExitCode.ok;
  } finally {
    await admin.close();
  }
}
