import type { IndexView } from '../../../examples/home-feed/lib/pin-index';

/** An index view over a plain Map: the pin index (or a process's copy of it) in memory. */
export class MapView implements IndexView {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  put(key: string, value: unknown): void {
    this.map.set(key, value);
  }
}
