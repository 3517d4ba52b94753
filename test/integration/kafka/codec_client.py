"""The independent client of the codec interop test: Python's confluent-kafka (librdkafka).

  codec_client.py produce BROKERS TOPIC CODEC LINES_FILE
      produces each line of LINES_FILE as {"text": line} keyed l<i>, compression.type=CODEC,
      in batches of many records (linger.ms 200), then flushes.
  codec_client.py counts BROKERS TOPIC EXPECTED_JSON TIMEOUT_S
      reads TOPIC from the beginning until each word's latest count (JSON value {"count": n})
      equals EXPECTED_JSON's; prints {"records": n, "missing": {...}} and exits 0 when all match.
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer


def produce(brokers, topic, codec, lines_file):
    producer = Producer({
        "bootstrap.servers": brokers, "compression.type": codec, "linger.ms": 200,
        "batch.num.messages": 100000, "enable.idempotence": True,
    })
    with open(lines_file, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    for i, line in enumerate(lines):
        producer.produce(topic, key=f"l{i}", value=json.dumps({"text": line}))
        producer.poll(0)
    left = producer.flush(30)
    if left:
        sys.exit(f"{left} records not delivered")
    print(json.dumps({"produced": len(lines), "codec": codec}))


def counts(brokers, topic, expected_json, timeout_s):
    with open(expected_json, encoding="utf-8") as f:
        expected = json.load(f)
    consumer = Consumer({
        "bootstrap.servers": brokers, "group.id": f"codec-interop-{uuid.uuid4()}",
        "auto.offset.reset": "earliest", "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    latest, records = {}, 0
    deadline = time.time() + float(timeout_s)
    try:
        while time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                sys.exit(f"consume error: {message.error()}")
            records += 1
            latest[message.key().decode()] = json.loads(message.value())["count"]
            if all(latest.get(word) == count for word, count in expected.items()):
                break
    finally:
        consumer.close()
    missing = {w: [c, latest.get(w)] for w, c in expected.items() if latest.get(w) != c}
    print(json.dumps({"records": records, "missing": missing}))
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"produce": produce, "counts": counts}[command](*args)
