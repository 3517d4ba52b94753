package dev.tributary.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary)
 * with the plain Avro library: the schema comes from the .avsc file the Node side registers,
 * so no registry client is needed on this side. One instance per stream task (not thread-safe:
 * it reuses its decoder, encoder and records).
 */
public final class ConfluentAvro {
  private static final int HEADER = 5;

  private final GenericDatumReader<GenericRecord> reader;
  private final GenericDatumWriter<GenericRecord> writer;
  private final int writerSchemaId;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
  private BinaryDecoder decoder;
  private BinaryEncoder encoder;
  private GenericRecord reusedIn;

  /**
   * @param readSchema schema of the records this instance decodes
   * @param writeSchema schema of the records it encodes
   * @param writerSchemaId registry id written into the header of encoded records
   */
  public ConfluentAvro(Schema readSchema, Schema writeSchema, int writerSchemaId) {
    this.reader = new GenericDatumReader<>(readSchema);
    this.writer = new GenericDatumWriter<>(writeSchema);
    this.writerSchemaId = writerSchemaId;
  }

  /** Decodes one framed record; throws {@link IllegalArgumentException} on a bad frame or body. */
  public GenericRecord decode(byte[] framed) {
    if (framed == null || framed.length < HEADER || framed[0] != 0) {
      throw new IllegalArgumentException("not a Confluent-framed Avro record");
    }
    decoder = DecoderFactory.get().binaryDecoder(framed, HEADER, framed.length - HEADER, decoder);
    try {
      reusedIn = reader.read(reusedIn, decoder);
      if (!decoder.isEnd()) throw new IllegalArgumentException("trailing bytes after the Avro body");
      return reusedIn;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Avro body does not match the schema: " + e.getMessage(), e);
    }
  }

  /** Encodes one record with the header of {@code writerSchemaId}. */
  public byte[] encode(GenericData.Record record) {
    out.reset();
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(writerSchemaId).array());
    encoder = EncoderFactory.get().binaryEncoder(out, encoder);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException("encoding to memory failed", e);
    }
    return out.toByteArray();
  }
}
