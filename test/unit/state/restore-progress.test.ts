import { strict as assert } from 'node:assert';
import { restoreProgress } from '../../../runtime/state/restore-progress';

describe('restoreProgress without a terminal', () => {
  it('prints the work ahead, lines at most once per interval, and a done line per partition', () => {
    const lines: string[] = [];
    const progress = restoreProgress([{ topic: 'app-s-changelog', partition: 2, total: 1000 }], { tty: false, log: (l) => lines.push(l), intervalMs: 60_000 });
    progress.update('app-s-changelog', 2, 10);
    progress.update('app-s-changelog', 2, 1000);
    progress.finish();
    assert.equal(lines.length, 2);
    assert.equal(lines[0], 'restore app-s-changelog[2]: 1000 records to read');
    assert.match(lines[1], /^restore app-s-changelog\[2\]: done 1000\/1000 offsets \(100%\) \d+ \/s$/);
  });
});
