package dev.tributary.bench;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The per-key state of the benchmark: how many events a key has seen and the sum of their
 * amounts. Stored in RocksDB as 16 fixed bytes (count, sum; big-endian longs).
 */
public record CountSum(long count, long sum) {

  /** The state of a key that has seen nothing. */
  public static final CountSum EMPTY = new CountSum(0, 0);

  /** Returns the state after one more event with the given amount. */
  public CountSum add(long amount) {
    return new CountSum(count + 1, sum + amount);
  }

  /** The 16-byte store serde. */
  public static Serde<CountSum> serde() {
    Serializer<CountSum> ser = (topic, v) -> v == null ? null
        : ByteBuffer.allocate(16).putLong(v.count).putLong(v.sum).array();
    Deserializer<CountSum> de = (topic, b) -> {
      if (b == null) return null;
      ByteBuffer buf = ByteBuffer.wrap(b);
      return new CountSum(buf.getLong(), buf.getLong());
    };
    return Serdes.serdeFrom(ser, de);
  }
}
