"""The independent client of the Protobuf and JSON Schema run tests: Python's
confluent-kafka with its ProtobufSerializer/JSONSerializer and deserializers.

  registry_formats_client.py produce BROKERS REGISTRY TOPIC FORMAT ENTRIES_JSON
      FORMAT is protobuf or json-schema. Each entry of the ENTRIES_JSON file is one
      record, produced in order (keyed k<i>) and flushed:
        {"order": {...}}     an Order through the client's serializer, which registers its
                             schema under TOPIC-value (as producers do by default)
        {"line": {...}}      (protobuf) an Order.Line through the same serializer: a message
                             of another type of the same file (message indexes [0, 0])
        {"raw_hex": "..."}   these bytes as they are
        {"framed_hex": "..."} the header (magic byte, schema id, message indexes) of the
                             last Order written, then these bytes
      Prints {"produced": n, "schema_id": id of the Orders' schema}.
  registry_formats_client.py consume BROKERS REGISTRY TOPIC FORMAT COUNT TIMEOUT_S
      reads TOPIC from the beginning until records of COUNT different keys arrived (or
      TIMEOUT_S passed), decodes each value with the client's deserializer and prints
      [{"key": ..., "value": ...}] (Protobuf values as the JSON mapping with the .proto
      field names and every field present); exits 1 when fewer keys arrived.

The Order descriptor is written out here, not compiled by Tributary's buf, so that
the two sides agree only through order.proto's meaning and the wire format.
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, text_format
from google.protobuf.message_factory import GetMessageClass

# test/fixtures/topologies/schemas/order.proto, as protoc describes it.
ORDER_FILE = """
name: "order.proto"
package: "shop.v1"
syntax: "proto3"
message_type {
  name: "Order"
  field { name: "order_id" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "orderId" }
  field { name: "amount_cents" number: 2 label: LABEL_OPTIONAL type: TYPE_INT64 json_name: "amountCents" }
  field { name: "status" number: 3 label: LABEL_OPTIONAL type: TYPE_ENUM type_name: ".shop.v1.Status" json_name: "status" }
  field { name: "lines" number: 4 label: LABEL_REPEATED type: TYPE_MESSAGE type_name: ".shop.v1.Order.Line" json_name: "lines" }
  nested_type {
    name: "Line"
    field { name: "sku" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "sku" }
    field { name: "qty" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 json_name: "qty" }
  }
}
enum_type {
  name: "Status"
  value { name: "STATUS_UNKNOWN" number: 0 }
  value { name: "STATUS_PAID" number: 1 }
}
"""

# test/fixtures/topologies/schemas/order.schema.json
ORDER_JSON_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "amount_cents": {"type": "integer", "minimum": 0},
    },
    "required": ["order_id", "amount_cents"],
}


def order_classes():
    pool = descriptor_pool.DescriptorPool()
    pool.Add(text_format.Parse(ORDER_FILE, descriptor_pb2.FileDescriptorProto()))
    order = GetMessageClass(pool.FindMessageTypeByName("shop.v1.Order"))
    line = GetMessageClass(pool.FindMessageTypeByName("shop.v1.Order.Line"))
    return order, line


def produce(brokers, registry_url, topic, fmt, entries_file):
    with open(entries_file, encoding="utf-8") as f:
        entries = json.load(f)
    registry = SchemaRegistryClient({"url": registry_url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    if fmt == "protobuf":
        order_cls, line_cls = order_classes()
        conf = {"use.deprecated.format": False}
        order_ser = ProtobufSerializer(order_cls, registry, conf)
        line_ser = ProtobufSerializer(line_cls, registry, conf)
        write_order = lambda v: order_ser(json_format.ParseDict(v, order_cls()), ctx)
        write_line = lambda v: line_ser(json_format.ParseDict(v, line_cls()), ctx)
        header_length = 6  # magic byte, schema id, message indexes [0] (one zero byte)
    else:
        json_ser = JSONSerializer(json.dumps(ORDER_JSON_SCHEMA), registry)
        write_order = lambda v: json_ser(v, ctx)
        write_line = None
        header_length = 5
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "linger.ms": 50})
    header = None
    for i, entry in enumerate(entries):
        if "order" in entry:
            value = write_order(entry["order"])
            header = value[:header_length]
        elif "line" in entry:
            value = write_line(entry["line"])
        elif "raw_hex" in entry:
            value = bytes.fromhex(entry["raw_hex"])
        else:
            value = header + bytes.fromhex(entry["framed_hex"])
        producer.produce(topic, key=f"k{i}", value=value)
        producer.poll(0)
    left = producer.flush(30)
    if left:
        sys.exit(f"{left} records not delivered")
    print(json.dumps({"produced": len(entries), "schema_id": int.from_bytes(header[1:5], "big")}))


def consume(brokers, registry_url, topic, fmt, count, timeout_s):
    if fmt == "protobuf":
        order_cls, _ = order_classes()
        # No registry client: its deserializer fetches writer schemas with
        # format=serialized, which Apicurio 3.3's ccompat API does not answer with
        # base64 (docs/decisions/0025); with none it decodes with Order, as readers
        # with generated classes do.
        deserializer = ProtobufDeserializer(order_cls, {"use.deprecated.format": False})
        decode = lambda b, ctx: json_format.MessageToDict(
            deserializer(b, ctx), preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    else:
        deserializer = JSONDeserializer(None, schema_registry_client=SchemaRegistryClient({"url": registry_url}))
        decode = deserializer
    consumer = Consumer({
        "bootstrap.servers": brokers, "group.id": f"registry-formats-{uuid.uuid4()}",
        "auto.offset.reset": "earliest", "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    records, keys = [], set()
    deadline = time.time() + float(timeout_s)
    try:
        # At-least-once may write a record twice: count keys, not records.
        while len(keys) < int(count) and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                sys.exit(f"consume error: {message.error()}")
            key = message.key().decode()
            keys.add(key)
            records.append({"key": key, "value": decode(message.value(), SerializationContext(topic, MessageField.VALUE))})
    finally:
        consumer.close()
    print(json.dumps(records))
    sys.exit(0 if len(keys) >= int(count) else 1)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"produce": produce, "consume": consume}[command](*args)
