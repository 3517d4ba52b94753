import type { SerdeFormat } from '../../../schemas/serde';

/** An HTTP-shaped answer: status, extra headers, a JSON body. */
export interface QueryAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Seconds a client waits before asking again about a store that is restoring or a partition being moved. */
const RETRY_AFTER_S = '1';

/**
 * A key as a URL path segment or query parameter (percent-decoded) gives it, read as its
 * topic's key format: `string` keys are the text itself; `json`, `avro`, `protobuf` and `json-schema` keys are JSON
 * (`"u1"`, `42`, `{"user":"u1"}`); `bytes` keys are base64.
 */
export function parseKey(text: string, format: SerdeFormat): { key: unknown } | { error: string } {
  switch (format) {
    case 'string':
      return { key: text };
    case 'bytes':
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return { error: `'${text}' is not base64 (keys in bytes format are given as base64)` };
      return { key: Buffer.from(text, 'base64') };
    case 'json':
    case 'avro':
    case 'protobuf':
    case 'json-schema':
      try {
        return { key: JSON.parse(text) as unknown };
      } catch {
        return { error: `'${text}' is not JSON (keys in ${format} format are given as JSON, e.g. "u1" with the quotes, or {"id":1})` };
      }
  }
}

/** A store key as JSON shows it: Buffers (bytes keys, or inside structured keys) as base64. */
export function jsonKey(key: unknown): unknown {
  if (Buffer.isBuffer(key)) return key.toString('base64');
  if (Array.isArray(key)) return key.map(jsonKey);
  if (key !== null && typeof key === 'object') return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, jsonKey(v)]));
  return key;
}

export function unknownStore(name: string, known: readonly string[]): QueryAnswer {
  return { status: 404, body: { error: `unknown store '${name}'; stores: ${known.join(', ') || 'none'}`, store: name } };
}

export function unusedStore(name: string): QueryAnswer {
  return { status: 404, body: { error: `store '${name}' is declared but no pipeline step uses it, so no task holds it`, store: name } };
}

export function unavailable(error: string, where: Record<string, unknown>): QueryAnswer {
  return { status: 503, headers: { 'retry-after': RETRY_AFTER_S }, body: { error, ...where } };
}

export function badRequest(error: string, where: Record<string, unknown>): QueryAnswer {
  return { status: 400, body: { error, ...where } };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
