// The client's own module, not the package root: the root also loads the AWS, Azure, GCP and
// Vault KMS drivers of client-side field encryption (~150 modules, 2.5 s of start-up here),
// which Tributary never uses. The package has no `exports` map, so this path is public.
import { SchemaRegistryClient, type Client } from '@confluentinc/schemaregistry/dist/schemaregistry-client';
import type { ClientConfig } from '@confluentinc/schemaregistry';

/** How to reach a Confluent-API schema registry (Confluent, Apicurio's ccompat API, Redpanda, ...). */
export interface RegistryConfig {
  /** Base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
  readonly url: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly bearerToken?: string;
}

/** A registry client from config; credentials never appear in errors or logs. */
export function createRegistryClient(config: RegistryConfig): Client {
  const clientConfig: ClientConfig = {
    baseURLs: [config.url],
    cacheCapacity: 1000,
    maxRetries: 3,
    retriesWaitMs: 200,
    retriesMaxWaitMs: 2000,
  };
  if (config.basicAuth) {
    clientConfig.basicAuthCredentials = {
      credentialsSource: 'USER_INFO',
      userInfo: `${config.basicAuth.username}:${config.basicAuth.password}`,
    };
  }
  if (config.bearerToken) {
    clientConfig.bearerAuthCredentials = { credentialsSource: 'STATIC_TOKEN', token: config.bearerToken };
  }
  return new SchemaRegistryClient(clientConfig);
}
