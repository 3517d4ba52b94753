import type { Client, SchemaInfo } from '@confluentinc/schemaregistry';
import { RegistryError } from './errors';

/** Where an application's own schema goes: one subject of one registry. */
export interface SubjectBinding {
  readonly registry: Client;
  readonly subject: string;
  /**
   * Register the schema under the subject at start-up when missing. Off by
   * default: production subjects are registered by their owners, and a schema
   * is never inferred from a message.
   */
  readonly autoRegister?: boolean;
}

/**
 * The registry id of an application's schema under its subject (Avro,
 * Protobuf or JSON Schema alike). A schema the subject lacks must be
 * compatible with the subject's latest version, and is registered only when
 * allowed; either failure stops the app at start-up with the subject named.
 */
export async function resolveSchemaId(binding: SubjectBinding, info: SchemaInfo): Promise<number> {
  const { registry, subject } = binding;
  try {
    return await registry.getId(subject, info, false);
  } catch (cause) {
    if (!isNotFound(cause)) {
      throw new RegistryError(`could not look up the schema of subject ${subject}: ${messageOf(cause)}`, true, { cause });
    }
  }
  // Not registered under this subject yet: it must be compatible with what is there.
  let compatible = true;
  try {
    compatible = await registry.testSubjectCompatibility(subject, info);
  } catch (cause) {
    if (!isNotFound(cause)) {
      throw new RegistryError(`could not check compatibility with subject ${subject}: ${messageOf(cause)}`, true, { cause });
    }
  }
  if (!compatible) {
    throw new RegistryError(`schema is incompatible with the latest version of subject ${subject} (check the registry's compatibility level and the schema's evolution)`, false);
  }
  if (!binding.autoRegister) {
    throw new RegistryError(`schema is not registered under subject ${subject}; register it, or set schemaRegistry.autoRegister: true in the topology (or TRIBUTARY_AUTO_REGISTER=1)`, false);
  }
  try {
    return await registry.register(subject, info, false);
  } catch (cause) {
    throw new RegistryError(`could not register the schema under subject ${subject}: ${messageOf(cause)}`, !isClientError(cause), { cause });
  }
}

/**
 * A writer schema by id, for decoding: undefined when the registry does not
 * know the id (its messages are poison, not a retry); other failures may pass
 * on retry.
 */
export async function fetchWriterSchema(registry: Client, subject: string, id: number): Promise<SchemaInfo | undefined> {
  try {
    // No `format`: Apicurio's ccompat API (3.3) fails or returns raw bytes for format=serialized.
    return await registry.getBySubjectAndId(subject, id);
  } catch (cause) {
    if (isNotFound(cause)) return undefined;
    throw new RegistryError(`could not fetch schema id ${id} from the registry: ${messageOf(cause)}`, true, { cause });
  }
}

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: number; response?: { status?: number } };
  return e?.status ?? e?.response?.status;
}

/** The registry answered 404 (unknown subject, version or id). */
export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

function isClientError(err: unknown): boolean {
  const status = statusOf(err);
  return status !== undefined && status >= 400 && status < 500;
}

/** An error's message, for errors that must not carry record contents. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
