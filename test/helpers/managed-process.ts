import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * A child process the fault driver starts, kills and restarts. Its stdout and stderr go to a
 * log file (appended across restarts) so a failing run can be read afterwards.
 *
 *   idle ──start()──▶ running ──exit──▶ exited
 *                        │
 *                        └─ kill('SIGKILL' | 'SIGTERM') ─▶ (exit) ─▶ exited
 */
export type ManagedProcessState = 'idle' | 'running' | 'exited';

const TRANSITIONS: Record<ManagedProcessState, readonly ManagedProcessState[]> = {
  idle: ['running'],
  running: ['exited'],
  exited: [],
};

/** How a managed process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to run. */
export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logFile: string;
  /** Called with each stdout line (e.g. to catch a JSON report). */
  readonly onLine?: (line: string) => void;
}

/** One run of a child process; start a new instance to restart. */
export class ManagedProcess {
  private state: ManagedProcessState = 'idle';
  private child?: ChildProcess;
  private log?: WriteStream;
  private exitPromise?: Promise<ProcessExit>;

  constructor(private readonly spec: ProcessSpec) {}

  /** The current state. */
  get current(): ManagedProcessState {
    return this.state;
  }

  /** The process id while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private moveTo(next: ManagedProcessState): void {
    if (!TRANSITIONS[this.state].includes(next)) throw new Error(`managed process ${this.spec.command}: cannot go from ${this.state} to ${next}`);
    this.state = next;
  }

  /** Starts the process. */
  start(): this {
    this.moveTo('running');
    this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(`\n=== ${new Date().toISOString()} start: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    const child = spawn(this.spec.command, [...this.spec.args], { cwd: this.spec.cwd, env: this.spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let pending = '';
    child.stdout!.on('data', (d: Buffer) => {
      this.log?.write(d);
      if (!this.spec.onLine) return;
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) this.spec.onLine(l);
    });
    child.stderr!.on('data', (d: Buffer) => this.log?.write(d));
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.moveTo('exited');
        this.log?.end(`=== ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
        resolve({ code, signal });
      });
      child.on('error', (err) => {
        this.log?.write(`=== spawn error: ${err.message}\n`);
      });
    });
    return this;
  }

  /** Sends a signal (SIGKILL for a crash, SIGTERM for a clean stop) and waits for the exit. */
  async kill(signal: 'SIGKILL' | 'SIGTERM', graceMs = 60_000): Promise<ProcessExit> {
    if (this.state !== 'running' || !this.child) return this.exited();
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    try {
      return await this.exited();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when the process has exited. */
  exited(): Promise<ProcessExit> {
    if (!this.exitPromise) return Promise.resolve({ code: null, signal: null });
    return this.exitPromise;
  }
}
