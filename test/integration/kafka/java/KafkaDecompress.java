// Decompresses a v2 record batch's records section the way Kafka's Java consumer
// (kafka-clients) does, and writes the bytes to OUT:
//   java -cp "<kafka libs>/*" KafkaDecompress.java CODEC IN OUT     (CODEC: gzip, snappy, lz4, zstd)
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;

public class KafkaDecompress {
  public static void main(String[] args) throws Exception {
    CompressionType type = CompressionType.forName(args[0]);
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1])));
    try (InputStream stream = Compression.of(type).build().wrapForInput(in, RecordBatch.MAGIC_VALUE_V2, BufferSupplier.create())) {
      Files.write(Path.of(args[2]), stream.readAllBytes());
    }
  }
}
