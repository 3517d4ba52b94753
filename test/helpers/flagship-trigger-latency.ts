/** One recommendation's latency, as measured and net of the hold the topology imposes by design. */
export interface TriggerLatency {
  /** Arrival at the consumer minus the triggering event's event time. */
  readonly rawMs: number;
  /**
   * `rawMs` less the designed hold: an `engagement` trigger waits in the topology's `settle`
   * debounce until the user has been quiet for `settleMs` of event time, so its update cannot
   * come sooner; `hide` and `new_pin` triggers are not held, their net equals raw.
   */
  readonly netMs: number;
}

/**
 * The latency of a flagship recommendation update from the event time of the event that
 * triggered it (the output record's Kafka timestamp, which the runtime carries from the
 * trigger) to `receivedAtMs`, raw and net of the `settleMs` debounce for `engagement` triggers.
 */
export function triggerLatency(trigger: string, triggerTimeMs: number, receivedAtMs: number, settleMs: number): TriggerLatency {
  const rawMs = receivedAtMs - triggerTimeMs;
  return { rawMs, netMs: trigger === 'engagement' ? rawMs - settleMs : rawMs };
}
