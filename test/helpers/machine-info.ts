import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';

/** Root of the repository (the compiled file lives in dist/bench/harness). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The machine and versions every benchmark figure is printed with. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly kafka: string;
  readonly gitCommit: string;
  readonly command: string;
  readonly at: string;
  /** 1-minute load average when the figures were taken: other work on the machine skews them. */
  readonly loadAverage: number;
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT }).trim();
  } catch (err) {
    const e = err as { stderr?: string };
    return e.stderr?.trim() ?? 'unknown';
  }
}

/** The broker version pinned in deploy/local/pom.xml. */
export function kafkaVersion(): string {
  try {
    const pom = readFileSync(join(REPO_ROOT, 'deploy', 'local', 'pom.xml'), 'utf8');
    return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Collects the machine, versions and the command line that started this process. */
export function machineInfo(): MachineInfo {
  // `java -version` writes to stderr.
  const javaOut = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const java = (javaOut.stderr || javaOut.stdout || 'java: not found').split('\n')[0]!.trim();
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java,
    kafka: kafkaVersion(),
    gitCommit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
    command: ['node', ...process.argv.slice(1).map((a) => a.replace(REPO_ROOT + '/', ''))].join(' '),
    at: new Date().toISOString(),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

/** The banner printed above every table. */
export function formatMachineBanner(m: MachineInfo): string {
  return [
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}`,
    `versions: node ${m.node}, ${m.java}, kafka ${m.kafka}, tributary ${m.gitCommit}`,
    `command: ${m.command}`,
    `at: ${m.at}, 1-minute load average ${m.loadAverage} on ${m.cores} cores`,
  ].join('\n');
}
