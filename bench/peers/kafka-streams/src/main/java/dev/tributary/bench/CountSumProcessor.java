package dev.tributary.bench;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The benchmark's work: decode the event, read the key's (count, sum) from the RocksDB store,
 * add the amount, write it back and forward the updated aggregate (one output per input).
 * Records that do not decode are counted and never fatal: they go unchanged to the dead-letter
 * topic when one is configured, else they are skipped.
 */
public final class CountSumProcessor implements Processor<String, byte[], String, byte[]> {
  private final Schema inSchema;
  private final Schema outSchema;
  private final int outSchemaId;
  private final Progress progress;
  private final boolean dlq;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, CountSum> store;
  private ConfluentAvro avro;
  private GenericData.Record outRecord;
  private int amountPos;

  CountSumProcessor(Schema inSchema, Schema outSchema, int outSchemaId, Progress progress, boolean dlq) {
    this.dlq = dlq;
    this.inSchema = inSchema;
    this.outSchema = outSchema;
    this.outSchemaId = outSchemaId;
    this.progress = progress;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(CountSumPeer.STORE);
    this.avro = new ConfluentAvro(inSchema, outSchema, outSchemaId);
    this.outRecord = new GenericData.Record(outSchema);
    this.amountPos = inSchema.getField("amount").pos();
  }

  @Override
  public void process(Record<String, byte[]> record) {
    long amount;
    try {
      GenericRecord event = avro.decode(record.value());
      amount = (Long) event.get(amountPos);
    } catch (IllegalArgumentException e) {
      progress.poison();
      if (dlq) context.forward(record, CountSumPeer.DLQ_SINK);
      return;
    }
    CountSum current = store.get(record.key());
    CountSum next = (current == null ? CountSum.EMPTY : current).add(amount);
    store.put(record.key(), next);
    outRecord.put(0, next.count());
    outRecord.put(1, next.sum());
    context.forward(record.withValue(avro.encode(outRecord)), CountSumPeer.OUTPUT_SINK);
    progress.processed();
  }
}
