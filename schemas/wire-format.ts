/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id,
 * then the encoded payload. Framing is done here, not by the registry
 * client's serializer, which costs 20-30x more per message than avsc itself
 * (ARCHITECTURE.md, "What things cost here").
 */
import { DeserializationError } from './errors';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

/** Prefix an encoded payload with the wire-format header. */
export function frame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeUInt32BE(schemaId, 1);
  payload.copy(out, HEADER_SIZE);
  return out;
}

/** The schema id of a framed message; throws DeserializationError for anything else. */
export function schemaIdOf(bytes: Buffer): number {
  if (bytes.length < HEADER_SIZE) {
    throw new DeserializationError(`message of ${bytes.length} bytes is too short for the Confluent wire format (5-byte header)`);
  }
  const magic = bytes.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new DeserializationError(`unknown magic byte ${magic} (expected 0: Confluent wire format)`);
  }
  return bytes.readUInt32BE(1);
}
