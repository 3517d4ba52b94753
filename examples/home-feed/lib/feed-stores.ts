import type { OperatorContext, OptionSpecs } from '../../../operators/operator-spec';
import { StoreView } from './store-view';

/**
 * The two store options of the flagship operators that write users and pins.
 * `shared`: update-user-features, assemble-feed and index-pin write these
 * stores together, through one key layout (StoreView, PinIndex).
 */
export const feedStoreOptions = {
  users: { kind: 'store', access: 'shared', required: true, description: 'Per-user features, keyed by userId (the record key); written by update-user-features and assemble-feed.' },
  // Read only: the pin features are a global store, filled from the topic the index step publishes to.
  index: { kind: 'store', access: 'read', required: true, description: 'The pin features (a global store: every pin, whatever the partition).' },
} as const satisfies OptionSpecs;

/** The same two stores for an operator that only reads them (retrieve-candidates). */
export const feedStoreReadOptions = {
  users: { ...feedStoreOptions.users, access: 'read' },
  index: { ...feedStoreOptions.index, access: 'read' },
} as const satisfies OptionSpecs;

/** Fresh per-batch views of the user-features and pin-features stores named by `feedStoreOptions`. */
export function feedStoreViews(options: { readonly users: string; readonly index: string }, context: OperatorContext): { users: StoreView; pins: StoreView } {
  const view = (name: string) => new StoreView(context.keyValueStore<string, unknown>(name), name);
  return { users: view(options.users), pins: view(options.index) };
}
