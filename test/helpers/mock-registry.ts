import { SchemaRegistryClient, type Client } from '@confluentinc/schemaregistry';

/**
 * A `mock://` registry client whose compatibility check passes: the mock has
 * no compatibility endpoint ('Unsupported operation'), and unit tests of
 * serdes register their schemas at start-up like `autoRegister: true` does.
 * Compatibility itself is tested against the real registry (integration).
 */
export function mockRegistry(name: string): Client {
  const mock = SchemaRegistryClient.newClient({ baseURLs: [`mock://${name}`] });
  return Object.assign(Object.create(mock) as Client, { testSubjectCompatibility: async () => true });
}
