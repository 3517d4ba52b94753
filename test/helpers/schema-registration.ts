/** Default Confluent-compatible registry of the local services (deploy/local/services.sh). */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

/**
 * Registers an Avro schema under `subject` through the Confluent-compatible REST API and
 * returns its id (the id written in the 5-byte header of every record). Registering the same
 * schema again returns the same id. Throws with the registry's answer when it refuses, and
 * says `npm run services:start` when nothing answers.
 */
export async function registerAvroSchema(registryUrl: string, subject: string, schema: object | string): Promise<number> {
  const body = JSON.stringify({ schemaType: 'AVRO', schema: typeof schema === 'string' ? schema : JSON.stringify(schema) });
  let res: Response;
  try {
    res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body,
    });
  } catch (err) {
    throw new Error(`schema registry at ${registryUrl} does not answer (${(err as Error).message}); start it with npm run services:start`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`schema registry refused subject ${subject}: HTTP ${res.status} ${text}`);
  const id = (JSON.parse(text) as { id?: unknown }).id;
  if (typeof id !== 'number') throw new Error(`schema registry answered without an id for subject ${subject}: ${text}`);
  return id;
}
