"""Independent client check: read a `recommendations` topic with confluent-kafka
(librdkafka) and its Avro deserializer through the schema registry, decode every
record, and print one JSON summary line. Not the project's own client or serde.

usage: read_recommendations.py BROKERS REGISTRY_URL TOPIC EXPECTED_COUNT
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> int:
    brokers, registry_url, topic, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"py-{uuid.uuid4()}", "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    records, versions, errors = 0, {}, []
    deadline = time.time() + 60
    try:
        while records < expected and time.time() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                errors.append(str(msg.error()))
                continue
            value = deserializer(msg.value(), SerializationContext(topic, MessageField.VALUE))
            key = msg.key().decode("utf-8")
            if key != value["userId"]:
                errors.append(f"key {key} != userId {value['userId']}")
            if versions.get(key, 0) >= value["version"]:
                errors.append(f"{key}: version {value['version']} after {versions.get(key)}")
            versions[key] = value["version"]
            if not value["items"] or any(not i["pinId"] or not i["source"] for i in value["items"]):
                errors.append(f"{key} v{value['version']}: malformed items")
            records += 1
    finally:
        consumer.close()
    print(json.dumps({"records": records, "users": len(versions), "errors": errors[:5]}))
    return 0 if records == expected and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
