import type { OperatorContext, OptionSpec, ResolvedOptions } from '../../../operators/operator-spec';
import { StoreView } from './store-view';

/** The two store options every flagship operator that reads users and pins declares. */
export const feedStoreOptions: Readonly<Record<'users' | 'index', OptionSpec>> = {
  users: { kind: 'store', required: true, description: 'Per-user features, keyed by userId (the record key).' },
  // Read only: the pin features are a global store, filled from the topic the index step publishes to.
  index: { kind: 'store', access: 'read', required: true, description: 'The pin features (a global store: every pin, whatever the partition).' },
};

/** Fresh per-batch views of the user-features and pin-features stores named by `feedStoreOptions`. */
export function feedStoreViews(options: ResolvedOptions, context: OperatorContext): { users: StoreView; pins: StoreView } {
  const view = (name: string) => new StoreView(context.keyValueStore<string, unknown>(name), name);
  return { users: view(String(options.users)), pins: view(String(options.index)) };
}
