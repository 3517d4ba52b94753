import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangelogOffset } from './changelog-record';
import { StateStoreError } from './errors';

const CHECKPOINT = '.checkpoint';
const DIRTY = '.dirty';

/**
 * The two files beside a task's RocksDB that say what its local state is worth:
 *
 * - `.checkpoint` (JSON): for each changelog partition, the offset after the
 *   last record the local state reflects. Written (tmp file + rename, so never
 *   half-written) after every successful commit and after a restore.
 * - `.dirty`: present under exactly_once while a committed write batch is
 *   applied to RocksDB and the checkpoint is not yet rewritten. A task that
 *   opens and finds it wipes its state and restores from scratch. (RocksDB is
 *   written only after the commit, so it never holds uncommitted writes.)
 */
export class CheckpointFile {
  constructor(readonly taskDir: string) {}

  get path(): string {
    return join(this.taskDir, CHECKPOINT);
  }

  /** The recorded offsets, or undefined when there is no checkpoint. Throws on a corrupt file. */
  async read(): Promise<Map<string, ChangelogOffset> | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStoreError(`cannot read checkpoint ${this.path}: ${(error as Error).message}`, true, { path: this.path }, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as { version: number; offsets: ChangelogOffset[] };
      if (parsed.version !== 1 || !Array.isArray(parsed.offsets)) throw new Error(`unknown checkpoint version ${parsed.version}`);
      const out = new Map<string, ChangelogOffset>();
      for (const o of parsed.offsets) {
        if (typeof o.topic !== 'string' || !Number.isInteger(o.partition) || !/^\d+$/.test(o.offset)) {
          throw new Error(`bad entry ${JSON.stringify(o)}`);
        }
        out.set(partitionKey(o.topic, o.partition), o);
      }
      return out;
    } catch (error) {
      throw new StateStoreError(`corrupt checkpoint ${this.path}: ${(error as Error).message}`, false, { path: this.path }, { cause: error });
    }
  }

  async write(offsets: Iterable<ChangelogOffset>): Promise<void> {
    await mkdir(this.taskDir, { recursive: true });
    const sorted = [...offsets].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, offsets: sorted }, null, 1));
    await rename(tmp, this.path);
  }

  async markDirty(): Promise<void> {
    await writeFile(join(this.taskDir, DIRTY), `${process.pid} ${new Date().toISOString()}\n`);
  }

  async clearDirty(): Promise<void> {
    await rm(join(this.taskDir, DIRTY), { force: true });
  }

  async isDirty(): Promise<boolean> {
    try {
      await readFile(join(this.taskDir, DIRTY));
      return true;
    } catch {
      return false;
    }
  }
}

/** Map key of a changelog partition. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The sum of the next offsets a task directory's checkpoint records (how far its local state
 * reached; the group's assignor compares it between processes), read synchronously; undefined
 * when a task opening the directory would wipe it (no readable checkpoint, or a dirty marker
 * under exactly_once).
 */
export function checkpointOffsetSum(taskDir: string, exactlyOnce: boolean): number | undefined {
  if (exactlyOnce && existsSync(join(taskDir, DIRTY))) return undefined;
  try {
    const doc = JSON.parse(readFileSync(join(taskDir, CHECKPOINT), 'utf8')) as { version?: number; offsets?: Array<{ offset?: unknown }> };
    if (doc.version !== 1 || !Array.isArray(doc.offsets)) return undefined;
    return doc.offsets.reduce((sum, o) => sum + (typeof o.offset === 'string' && /^\d+$/.test(o.offset) ? Number(o.offset) : 0), 0);
  } catch {
    return undefined;
  }
}
