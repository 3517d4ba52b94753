package dev.tributary.bench;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Kafka Streams peer of Tributary's count+sum benchmark.
 *
 * <p>Reads Confluent-framed Avro events (bench/schemas/bench-event.avsc) keyed by user id, keeps
 * a per-key (count, sum of amount) in a RocksDB key-value store (cached and change-logged, the
 * Kafka Streams defaults for a persistent store), and writes the updated aggregate
 * (bench/schemas/bench-aggregate.avsc) to the output topic for every input. It stops itself once
 * it has seen the expected number of records (or after an idle timeout), closes cleanly (which
 * commits) and prints one JSON line with its rate. Records that do not decode go to the
 * dead-letter topic when --dlq-topic is given (the fault suite uses it as a known-good
 * application under test until Tributary's runtime runs the same workload).
 *
 * <pre>
 * java -jar target/kafka-streams-peer.jar --bootstrap 127.0.0.1:9092 --input IN --output OUT \
 *   --application-id APP --guarantee at_least_once|exactly_once_v2 --expected N \
 *   --input-schema bench/schemas/bench-event.avsc --output-schema bench/schemas/bench-aggregate.avsc \
 *   [--output-schema-id ID] [--threads 1] [--commit-interval-ms MS] [--idle-timeout-ms 30000] [--state-dir DIR]
 *   [--dlq-topic TOPIC] [--session-timeout-ms MS] [--standby-replicas N]
 * </pre>
 */
public final class CountSumPeer {
  static final String STORE = "count-sum";
  static final String OUTPUT_SINK = "aggregates";
  static final String DLQ_SINK = "dead-letters";
  private static final String[] REQUIRED = {
    "bootstrap", "input", "output", "application-id", "guarantee", "expected", "input-schema", "output-schema"
  };

  private CountSumPeer() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args;
    try {
      args = parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("kafka-streams-peer: " + e.getMessage());
      System.exit(2);
      return;
    }
    String guarantee = args.get("guarantee");
    if (!guarantee.equals("at_least_once") && !guarantee.equals("exactly_once_v2")) {
      System.err.println("kafka-streams-peer: --guarantee must be at_least_once or exactly_once_v2, got " + guarantee);
      System.exit(2);
    }
    long expected = Long.parseLong(args.get("expected"));
    long idleTimeoutMs = Long.parseLong(args.getOrDefault("idle-timeout-ms", "30000"));
    int threads = Integer.parseInt(args.getOrDefault("threads", "1"));
    Schema inSchema = new Schema.Parser().parse(new File(args.get("input-schema")));
    Schema outSchema = new Schema.Parser().parse(new File(args.get("output-schema")));
    int outSchemaId = Integer.parseInt(args.getOrDefault("output-schema-id", "0"));
    File stateDir = args.containsKey("state-dir") ? new File(args.get("state-dir"))
        : Files.createTempDirectory("kstreams-peer-").toFile();

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args.get("application-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.getAbsolutePath());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    if (args.containsKey("session-timeout-ms")) {
      // The fault suite kills instances: a short session lets the group drop a dead member quickly.
      long session = Long.parseLong(args.get("session-timeout-ms"));
      props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) session);
      props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), (int) Math.max(500, session / 3));
    }
    if (args.containsKey("commit-interval-ms")) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(args.get("commit-interval-ms")));
    }
    if (args.containsKey("standby-replicas")) {
      props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.parseInt(args.get("standby-replicas")));
    }

    String dlqTopic = args.get("dlq-topic");
    Progress progress = new Progress();
    Topology topology = new Topology();
    topology.addSource("events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), args.get("input"));
    topology.addProcessor("count-sum", () -> new CountSumProcessor(inSchema, outSchema, outSchemaId, progress, dlqTopic != null), "events");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), CountSum.serde())
            .withCachingEnabled(),
        "count-sum");
    topology.addSink(OUTPUT_SINK, args.get("output"), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        "count-sum");
    if (dlqTopic != null) {
      topology.addSink(DLQ_SINK, dlqTopic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "count-sum");
    }

    KafkaStreams streams = new KafkaStreams(topology, props);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(30))));
    long startNanos = System.nanoTime();
    streams.start();

    String stoppedBy = waitForEnd(streams, progress, expected, idleTimeoutMs, startNanos);
    long closeStart = System.nanoTime();
    boolean closed = streams.close(Duration.ofSeconds(60));
    long closeNanos = System.nanoTime() - closeStart;

    long processed = progress.processedCount();
    double windowMs = (progress.lastNanos() - progress.firstNanos()) / 1e6;
    double rate = processed > 1 && windowMs > 0 ? (processed - 1) / (windowMs / 1000.0) : 0;
    System.out.println(String.format(Locale.ROOT,
        "{\"peer\":\"kafka-streams\",\"kafkaStreamsVersion\":\"%s\",\"guarantee\":\"%s\",\"threads\":%d,"
            + "\"expected\":%d,\"processed\":%d,\"poison\":%d,\"stoppedBy\":\"%s\",\"firstToLastMs\":%.1f,"
            + "\"startToLastMs\":%.1f,\"closeMs\":%.1f,\"closedCleanly\":%b,\"recordsPerSec\":%.1f}",
        org.apache.kafka.common.utils.AppInfoParser.getVersion(), guarantee, threads, expected, processed,
        progress.poisonCount(), stoppedBy, windowMs,
        progress.lastNanos() == 0 ? 0.0 : (progress.lastNanos() - startNanos) / 1e6, closeNanos / 1e6, closed, rate));
    System.exit(stoppedBy.equals("count") && closed ? 0 : 1);
  }

  /** Waits until the expected count is seen, the app is idle too long, or it fails; says which. */
  private static String waitForEnd(KafkaStreams streams, Progress progress, long expected, long idleTimeoutMs,
      long startNanos) throws InterruptedException {
    while (true) {
      if (progress.seen() >= expected) return "count";
      KafkaStreams.State state = streams.state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) return "error";
      long last = progress.lastNanos() == 0 ? startNanos : progress.lastNanos();
      if ((System.nanoTime() - last) / 1_000_000 > idleTimeoutMs) return "idle";
      Thread.sleep(20);
    }
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value pairs, got '" + argv[i] + "'");
      }
      out.put(argv[i].substring(2), argv[++i]);
    }
    for (String name : REQUIRED) {
      if (!out.containsKey(name)) throw new IllegalArgumentException("missing --" + name);
    }
    return out;
  }
}
