import { ProtocolError } from './kserve-errors';

/**
 * Counts the requests an inference server is answering and, once draining, refuses new ones.
 *
 * ```
 * serving ──drain()──▶ draining ──(no request in flight)──▶ idle() resolves
 * ```
 * Readiness reads `draining`, so load balancers stop sending before the server goes away.
 */
export class RequestGate {
  private inFlight = 0;
  private draining = false;
  private waiters: Array<() => void> = [];

  /** Whether new requests are still taken (the server's readiness). */
  get ready(): boolean {
    return !this.draining;
  }

  /** Requests being answered now. */
  get active(): number {
    return this.inFlight;
  }

  /** Admits one request; throws a retriable UNAVAILABLE error while draining. Pair with `leave`. */
  enter(): void {
    if (this.draining) throw new ProtocolError('unavailable', 'the server is shutting down and takes no new requests; retry on another endpoint');
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.draining) this.wake();
  }

  /** Stops admitting requests; resolves when none is in flight. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
