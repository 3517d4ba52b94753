import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, kafkaVersion } from '../helpers/machine-info';
import { ManagedProcess } from '../helpers/managed-process';
import { freePort } from '../helpers/free-port';

/**
 * A single-node KRaft broker of the fault suite's own, on free loopback ports and in its own
 * folder, from the same Kafka jars deploy/local/services.sh fetches. The broker-restart fault
 * stops and starts this one: the shared development broker on 9092 is never touched.
 */
export class PrivateBroker {
  private process?: ManagedProcess;

  private constructor(readonly dir: string, readonly port: number, readonly controllerPort: number) {}

  /** host:port for clients. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Formats storage in `dir` and starts the broker; resolves once it accepts connections. */
  static async start(dir: string): Promise<PrivateBroker> {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const broker = new PrivateBroker(dir, port, controllerPort);
    mkdirSync(dir, { recursive: true });
    const libs = kafkaLibs();
    const base = readFileSync(join(REPO_ROOT, 'deploy', 'local', 'kafka.properties'), 'utf8')
      .replaceAll('127.0.0.1:9092', `127.0.0.1:${port}`)
      .replaceAll('127.0.0.1:9093', `127.0.0.1:${controllerPort}`);
    writeFileSync(broker.configPath, `${base}\nlog.dirs=${join(dir, 'data')}\n`);
    const java = 'java';
    const id = spawnSync(java, ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!;
    const fmt = spawnSync(java, [`-Dlog4j.configuration=file:${join(REPO_ROOT, 'deploy', 'local', 'log4j.properties')}`, '-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', broker.configPath], { encoding: 'utf8' });
    if (fmt.status !== 0) throw new Error(`formatting the fault suite's broker failed: ${fmt.stderr || fmt.stdout}`);
    await broker.boot();
    return broker;
  }

  private get configPath(): string {
    return join(this.dir, 'kafka.properties');
  }

  private startedLines(): number {
    try {
      return readFileSync(join(this.dir, 'kafka.log'), 'utf8').split('Kafka Server started').length - 1;
    } catch {
      return 0;
    }
  }

  private async boot(): Promise<void> {
    const before = this.startedLines();
    this.process = new ManagedProcess({
      command: 'java',
      args: ['-Xms128m', '-Xmx512m', `-Dlog4j.configuration=file:${join(REPO_ROOT, 'deploy', 'local', 'log4j.properties')}`, '-cp', `${kafkaLibs()}/*`, 'kafka.Kafka', this.configPath],
      logFile: join(this.dir, 'kafka.log'),
    }).start();
    const deadline = Date.now() + 90_000;
    // The port opens before the broker serves metadata: wait for its own "started" line too.
    while (!(await portAnswers(this.port)) || this.startedLines() <= before) {
      if (this.process.current === 'exited') throw new Error(`the fault suite's broker exited during start-up; see ${join(this.dir, 'kafka.log')}`);
      if (Date.now() > deadline) throw new Error(`the fault suite's broker did not answer within 90 s; see ${join(this.dir, 'kafka.log')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Stops the broker (SIGTERM: a controlled shutdown; SIGKILL: a crash), waits `downMs`, starts
   * it again on the same ports and data, and resolves when it answers. Returns the ms it was down.
   */
  async restart(signal: 'SIGTERM' | 'SIGKILL', downMs = 2000): Promise<number> {
    const started = Date.now();
    await this.process?.kill(signal);
    await new Promise((r) => setTimeout(r, downMs));
    await this.boot();
    return Date.now() - started;
  }

  /** Stops the broker for good. */
  async stop(): Promise<void> {
    await this.process?.kill('SIGTERM');
  }
}

/** Folder of the Kafka jars, fetched with services.sh when absent. */
function kafkaLibs(): string {
  const cache = process.env.TRIBUTARY_SERVICES_CACHE ?? join(homedir(), '.cache', 'tributary-services');
  const libs = join(cache, `kafka-${kafkaVersion()}`, 'libs');
  if (!existsSync(join(libs, '.complete'))) {
    const res = spawnSync('bash', [join(REPO_ROOT, 'deploy', 'local', 'services.sh'), 'fetch'], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error('fetching the Kafka jars failed (bash deploy/local/services.sh fetch)');
  }
  return libs;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
    s.once('timeout', () => { s.destroy(); resolve(false); });
    s.connect(port, '127.0.0.1');
  });
}
