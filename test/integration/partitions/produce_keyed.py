"""A third-party producer for the co-partitioning test: Python confluent-kafka
(librdkafka) with the Java client's partitioner (murmur2_random), writing
JSON lines [key, value, timestamp_ms] from stdin to a topic."""
import json
import sys

from confluent_kafka import Producer

brokers, topic = sys.argv[1], sys.argv[2]
producer = Producer({"bootstrap.servers": brokers, "partitioner": "murmur2_random", "linger.ms": 5})
count = 0
for line in sys.stdin:
    key, value, ts = json.loads(line)
    producer.produce(topic, key=key.encode(), value=json.dumps(value).encode(), timestamp=ts)
    count += 1
    producer.poll(0)
left = producer.flush(30)
if left:
    sys.exit(f"{left} messages not delivered")
print(count)
