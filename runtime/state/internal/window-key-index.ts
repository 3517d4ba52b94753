/**
 * Buffered window-store keys grouped by their key part (all but the trailing
 * 8-byte window start), so a fetch of one key's windows looks at that key's
 * buffered writes only instead of at every buffered write.
 */
export class WindowKeyIndex {
  private readonly groups = new Map<string, Set<string>>();

  static group(key: string): string {
    return key.slice(0, key.length - 8);
  }

  add(key: string): void {
    const g = WindowKeyIndex.group(key);
    let set = this.groups.get(g);
    if (set === undefined) {
      set = new Set();
      this.groups.set(g, set);
    }
    set.add(key);
  }

  remove(key: string): void {
    const g = WindowKeyIndex.group(key);
    const set = this.groups.get(g);
    if (set === undefined) return;
    set.delete(key);
    if (set.size === 0) this.groups.delete(g);
  }

  keysOf(group: string): ReadonlySet<string> {
    return this.groups.get(group) ?? new Set();
  }

  clear(): void {
    this.groups.clear();
  }
}

/** The key group both bounds of a one-key window range share, or undefined. */
export function sharedWindowGroup(from: string | undefined, to: string | undefined): string | undefined {
  if (from === undefined || to === undefined || from.length !== to.length || from.length < 8) return undefined;
  const g = WindowKeyIndex.group(from);
  return g === WindowKeyIndex.group(to) ? g : undefined;
}
