/**
 * Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * Avro binary body. The bench writes and reads it directly (avsc for the body), as the
 * architecture notes advise, rather than per-message registry serializers.
 */

/** Prepends the 5-byte header of `schemaId` to an Avro body. */
export function frameConfluent(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + 5);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

/** Splits a framed value into its schema id and body; throws on anything not framed. */
export function unframeConfluent(value: Buffer): { schemaId: number; body: Buffer } {
  if (value.length < 5 || value.readUInt8(0) !== 0) throw new Error('value is not in the Confluent wire format (magic byte 0 + 4-byte schema id)');
  return { schemaId: value.readUInt32BE(1), body: value.subarray(5) };
}
