import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tributary.js');

/** A `tributary worker` child process and the addresses it printed. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly http: string;
  readonly grpc: string;
  /** The Prometheus endpoint, when started with --metrics-port. */
  readonly metrics?: string;
  stop(): Promise<void>;
}

/** Starts `tributary worker` with free ports and waits for its ready line. */
export function startWorkerProcess(args: readonly string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [bin, 'worker', '--port', '0', '--grpc-port', '0', '--reload-poll-ms', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tributary worker did not start in 30 s: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/[\d.:]+) and (grpc:\/\/[\d.:]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child, http: m[1], grpc: m[2], metrics: /metrics at (\S+)/.exec(out)?.[1],
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGCONT');
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tributary worker exited with ${code}: ${err.trim()}`));
    });
  });
}
