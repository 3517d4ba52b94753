import org.apache.kafka.common.utils.Utils;
import java.nio.charset.StandardCharsets;

/** Prints the partition Kafka's Java producer picks for each key argument: toPositive(murmur2(key)) % partitions. */
public class Murmur2Partition {
  public static void main(String[] args) {
    int partitions = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
      System.out.println(Utils.toPositive(Utils.murmur2(key)) % partitions);
    }
  }
}
