import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNNING_HERE, type LocalTaskState } from './client/task-assignment';
import { checkpointOffsetSum } from '../state/checkpoint-file';

/**
 * What this process holds of each task's state, for its next group join (the assignor keeps
 * tasks where their state is; task-assignment.ts): the stateful tasks it runs now, then the
 * freshest of its standby copies and of the task directories a moved-away task left under
 * `<stateDir>/<app>/` (the sum of the changelog offsets their `.checkpoint` reached). A
 * directory whose state a task would wipe on open (no checkpoint, unreadable, or a dirty
 * marker under exactly_once) counts as nothing. Read synchronously: the client asks while it
 * builds the join request.
 */
export function localTaskState(
  taskRoot: string,
  running: Iterable<string>,
  standby: ReadonlyMap<string, number>,
  exactlyOnce: boolean,
): LocalTaskState {
  const held: Record<string, number> = {};
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(taskRoot);
  } catch {
    // No state directory yet: nothing held.
  }
  for (const taskId of entries) {
    if (!/^\d+_\d+$/.test(taskId)) continue;
    const sum = checkpointOffsetSum(path.join(taskRoot, taskId), exactlyOnce);
    if (sum !== undefined) held[taskId] = sum;
  }
  for (const [taskId, sum] of standby) held[taskId] = Math.max(sum, held[taskId] ?? 0);
  for (const taskId of running) held[taskId] = RUNNING_HERE;
  return held;
}
