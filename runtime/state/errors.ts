import { TributaryError } from '../../core/errors';

/**
 * A state store failed. `retriable` says whether the same call can succeed
 * later (a store that is closing, a broker that is briefly away) or never
 * will (a corrupt checkpoint, a store name that is not defined).
 */
export class StateStoreError extends TributaryError {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly context: { store?: string; task?: string; path?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A key range that cannot be scanned: a bound that does not serialize, or bounds in the wrong order. Never retriable. */
export class KeyRangeError extends StateStoreError {
  constructor(message: string) {
    super(message, false);
  }
}
