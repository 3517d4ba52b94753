/**
 * Preloaded into a bench's application process (`node --require`): samples
 * what the process allocates, collected objects included (V8's sampling heap
 * profiler; `--heap-prof` keeps only what is still alive at exit, which says
 * nothing about garbage collection churn), from `ALLOCATION_SAMPLE_AFTER_S`
 * seconds after start until exit, and writes
 * `<ALLOCATION_PROFILE_DIR>/<pid>-<thread>.heapprofile` (open it in Chrome
 * DevTools' Memory tab). Worker threads get their own file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env.ALLOCATION_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let sampling = false;
  const after = Number(process.env.ALLOCATION_SAMPLE_AFTER_S ?? '10') * 1000;
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object, (error) => {
      sampling = error === null;
    });
  }, after).unref();
  process.on('exit', () => {
    if (!sampling) return;
    // An in-process inspector session answers synchronously, so this runs before the process ends.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error !== null) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}-${threadId}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
