/**
 * Runs the `tributary` CLI for tests: in process through `main` (fast: no module
 * loading per call) or as the real binary (`bin/tributary.js`, the exit code a shell sees).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { main } from '../../runtime/cli/main';

/** What one CLI call printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** The repository root (tests run from dist/test/...). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(repoRoot, 'bin', 'tributary.js');

/** Runs the CLI in process, capturing what it prints; never lets the exit code leak into mocha's. */
export async function cliInProcess(args: readonly string[]): Promise<CliResult & { code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'tributary', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = undefined;
  }
}

/** Runs `node bin/tributary.js ARGS` to completion (bounded), with `env` added to this process's environment. */
export function cliBinary(args: readonly string[], env: Record<string, string> = {}, cwd = repoRoot): CliResult {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: run.status, out: run.stdout ?? '', err: run.stderr ?? '' };
}
