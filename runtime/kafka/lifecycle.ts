/**
 * A state machine given as its transition map: `moveTo` refuses a transition the map does
 * not list, so an illegal sequence (start after stop, a second start) fails loudly where it
 * happens instead of leaving half-started resources behind.
 */
export class Lifecycle<S extends string> {
  private current: S;

  constructor(private readonly what: string, initial: S, private readonly transitions: Readonly<Record<S, readonly S[]>>) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: readonly S[]): boolean {
    return states.includes(this.current);
  }

  moveTo(next: S): void {
    if (!this.transitions[this.current].includes(next)) {
      throw new Error(`${this.what} cannot go from ${this.current} to ${next}`);
    }
    this.current = next;
  }
}
