/**
 * Runs `tributary` as a child process, the way users do, for integration
 * tests of the runtime: its output is kept for assertions and failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const bin = path.join(__dirname, '..', '..', '..', 'bin', 'tributary.js');

export interface TributaryProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves when the output matches `pattern`; rejects after `timeoutMs` with the output so far. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startTributary(args: readonly string[], env: Record<string, string> = {}): TributaryProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in tributary output:\n${output.slice(-4000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`tributary exited (${code}) before ${pattern} appeared:\n${output.slice(-4000)}`));
          }
        });
      });
    },
  };
}

/** Kills (SIGKILL) every process of `processes` still running, empties the list, and waits for them to exit. */
export async function killLeftovers(processes: TributaryProcess[]): Promise<void> {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
}

/**
 * The processes and state directories a describe block's tests start, cleaned up by `hook`
 * (mocha's `afterEach` by default, or `after`): processes still running are SIGKILLed and
 * awaited, the directories removed. Call it inside the describe block.
 */
export function cleanedUp(hook: (fn: () => Promise<void>) => void = afterEach): { processes: TributaryProcess[]; dirs: string[] } {
  const processes: TributaryProcess[] = [];
  const dirs: string[] = [];
  hook(async () => {
    await killLeftovers(processes);
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return { processes, dirs };
}
