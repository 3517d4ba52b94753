import type { Command } from 'commander';

/** A CLI command: registers itself on the program and sets `process.exitCode` through its action. */
export interface CliCommand {
  register(program: Command): void;
}
