import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, every thread) a process has used, sampled from /proc/<pid>/stat
 * every `intervalMs` while it runs: `stop()` returns the last sample, taken at most `intervalMs`
 * before the process ended or stop() was called. A benchmark compares processes by CPU per
 * record, which moves less with the machine's other load than wall time does. Null where /proc
 * is missing (not Linux).
 */
export function trackProcessCpu(pid: number | undefined, intervalMs = 100): { stop(): number | null } {
  let last: number | null = null;
  const sample = (): void => {
    if (pid === undefined) return;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      last = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // The process ended: the last sample stands.
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop(): number | null {
      sample();
      clearInterval(timer);
      return last;
    },
  };
}
