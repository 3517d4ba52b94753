import type { CliCommand } from './cli-command';
import { servicesCommand } from './services-command';
import { runCommand } from './run-command';
import { topCommand } from './top-command';
import { generateCommand } from '../../examples/home-feed/commands/generate-command';
import { evaluateCommand } from '../../examples/home-feed/commands/evaluate-command';
import { workerCommand } from './worker-command';
import { validateCommand } from './validate-command';
import { describeCommand } from './describe-command';
import { docsCommand } from './docs-command';
import { testCommand } from './test-command';
import { resetCommand } from './reset-command';

/**
 * Every CLI command, in the order `--help` lists them. Passed explicitly
 * (no registration by import side effects): add a command here.
 */
export const commands: readonly CliCommand[] = [
  runCommand,
  servicesCommand,
  topCommand,
  generateCommand,
  evaluateCommand,
  workerCommand,
  validateCommand,
  describeCommand,
  docsCommand,
  testCommand,
  resetCommand,
];
