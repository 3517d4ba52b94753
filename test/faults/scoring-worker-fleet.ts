import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/machine-info';
import { ManagedProcess } from '../helpers/managed-process';
import { freePort } from '../helpers/free-port';

/** One remote scoring worker of the fleet: fixed ports, so a restart answers where the app already sends. */
interface FleetWorker {
  readonly index: number;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly metricsPort: number;
  /** The address the application is given: even workers over HTTP, odd ones over gRPC. */
  readonly endpoint: string;
  process?: ManagedProcess;
  stopped: boolean;
  /** Rows the worker's earlier lives scored (its counter restarts with the process). */
  rowsBefore: number;
}

/**
 * The remote `tributary worker` processes of a fault run (`fault-suite --scoring`): started on
 * free 127.0.0.1 ports, crashed with SIGKILL and restarted on the same ports, hung with SIGSTOP
 * and resumed with SIGCONT. Each serves its Prometheus /metrics so the suite can tell how many
 * rows the remote workers scored (evidence that scoring went through them).
 */
export class ScoringWorkerFleet {
  private constructor(private readonly workers: FleetWorker[], private readonly modelDir: string, private readonly workDir: string) {}

  /** Starts `count` workers serving the model folder; resolves when every one has printed its ready line. */
  static async start(count: number, modelDir: string, workDir: string): Promise<ScoringWorkerFleet> {
    const workers: FleetWorker[] = [];
    for (let index = 0; index < count; index++) {
      const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
      workers.push({ index, httpPort, grpcPort, metricsPort, endpoint: index % 2 === 0 ? `http://127.0.0.1:${httpPort}` : `grpc://127.0.0.1:${grpcPort}`, stopped: false, rowsBefore: 0 });
    }
    const fleet = new ScoringWorkerFleet(workers, modelDir, workDir);
    try {
      await Promise.all(workers.map((w) => fleet.boot(w)));
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  /** The endpoints to give `tributary run --remote`. */
  get endpoints(): string[] {
    return this.workers.map((w) => w.endpoint);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The endpoint of worker `index` (for fault lines). */
  endpoint(index: number): string {
    return this.workers[index]!.endpoint;
  }

  /** SIGKILL of worker `index`; resolves when it is gone. */
  async crash(index: number): Promise<void> {
    const w = this.workers[index]!;
    w.rowsBefore += await this.rowsNow(w);
    await w.process?.kill('SIGKILL');
  }

  /** Starts worker `index` again on its ports; resolves when it serves. */
  async restart(index: number): Promise<void> {
    await this.boot(this.workers[index]!);
  }

  /** SIGSTOP of worker `index`: it holds its connections and answers nothing until {@link resume}. */
  hang(index: number): void {
    const w = this.workers[index]!;
    if (w.process?.pid === undefined || w.process.current !== 'running') throw new Error(`scoring worker ${index} is not running`);
    process.kill(w.process.pid, 'SIGSTOP');
    w.stopped = true;
  }

  /** SIGCONT of a hung worker. */
  resume(index: number): void {
    const w = this.workers[index]!;
    if (w.stopped && w.process?.pid !== undefined && w.process.current === 'running') process.kill(w.process.pid, 'SIGCONT');
    w.stopped = false;
  }

  /** Rows each worker scored over all its lives (read from its /metrics; a crash loses the rows since the last read). */
  async rowsScored(): Promise<number[]> {
    return Promise.all(this.workers.map(async (w) => w.rowsBefore + await this.rowsNow(w)));
  }

  /** Resumes and stops every worker. */
  async stop(): Promise<void> {
    for (const w of this.workers) this.resume(w.index);
    await Promise.all(this.workers.map((w) => w.process?.kill('SIGTERM', 10_000)));
  }

  private async rowsNow(w: FleetWorker): Promise<number> {
    if (w.stopped || w.process?.current !== 'running') return 0;
    try {
      const text = await (await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
      let rows = 0;
      for (const m of text.matchAll(/^tributary_scoring_rows(?:_total)?\{[^}]*\}\s+([0-9.e+]+)/gm)) rows += Number(m[1]);
      return rows;
    } catch {
      return 0;
    }
  }

  private async boot(w: FleetWorker): Promise<void> {
    // A port of a just-killed worker can take a moment to be free again: try a few times.
    for (let attempt = 1; ; attempt++) {
      let ready!: () => void;
      const readyLine = new Promise<void>((resolve) => { ready = resolve; });
      const proc = new ManagedProcess({
        command: process.execPath,
        args: ['bin/tributary.js', 'worker', '--model', this.modelDir, '--port', String(w.httpPort), '--grpc-port', String(w.grpcPort),
          '--metrics-port', String(w.metricsPort), '--workers', '1', '--intra-op-threads', '1', '--reload-poll-ms', '0'],
        cwd: REPO_ROOT,
        logFile: join(this.workDir, `scoring-worker-${w.index}.log`),
        onLine: (line) => { if (line.startsWith('tributary worker: serving')) ready(); },
      }).start();
      w.process = proc;
      w.stopped = false;
      const outcome = await Promise.race([
        readyLine.then(() => 'ready' as const),
        proc.exited().then(() => 'exited' as const),
        new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), 90_000).unref()),
      ]);
      if (outcome === 'ready') return;
      await proc.kill('SIGKILL');
      if (attempt >= 3) throw new Error(`scoring worker ${w.index} did not start (${outcome}); see ${join(this.workDir, `scoring-worker-${w.index}.log`)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
