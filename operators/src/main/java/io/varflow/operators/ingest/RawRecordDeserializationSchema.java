package io.varflow.operators.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps every Kafka record as a {@link RawRecord}: bytes plus topic/partition/offset. It never
 * throws, so a malformed message cannot fail the source; validation happens downstream where bad
 * records go to the dead-letter side output.
 *
 * <pre>{@code
 * KafkaSource.<RawRecord>builder()
 *     .setTopics("varflow.requests")
 *     .setDeserializer(new RawRecordDeserializationSchema())
 *     ...
 * }</pre>
 */
public final class RawRecordDeserializationSchema
        implements KafkaRecordDeserializationSchema<RawRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(
                new RawRecord(
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
