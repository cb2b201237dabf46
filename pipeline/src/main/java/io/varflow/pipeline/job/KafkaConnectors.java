package io.varflow.pipeline.job;

import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.ingest.RawRecordDeserializationSchema;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka source and exactly-once sinks, configured from {@link JobConfig}. */
final class KafkaConnectors {

    private KafkaConnectors() {}

    /**
     * Raw request records. Starts from the group's committed offsets (earliest when it has none);
     * on restore the checkpointed offsets win. Reads {@code read_committed} so transactional
     * producers' aborted writes are never processed.
     */
    static KafkaSource<RawRecord> requests(JobConfig config) {
        return rawRecords(config, config.require(JobOptions.TOPIC_REQUESTS));
    }

    /** Raw edit records from {@code kafka.topic.edits}, read like {@link #requests}. */
    static KafkaSource<RawRecord> edits(JobConfig config) {
        return rawRecords(config, config.require(JobOptions.TOPIC_EDITS));
    }

    private static KafkaSource<RawRecord> rawRecords(JobConfig config, String topic) {
        Properties connection = KafkaClientSettings.connection(config);
        return KafkaSource.<RawRecord>builder()
                .setProperties(connection)
                .setTopics(topic)
                .setGroupId(config.require(JobOptions.KAFKA_GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * An exactly-once sink: records become visible to {@code read_committed} consumers when the
     * checkpoint that covers them completes. {@code role} makes the transactional ids of the job's
     * sinks distinct.
     */
    static <T> KafkaSink<T> exactlyOnce(JobConfig config, String topic, String role, SerializationSchema<T> key) {
        Properties producer = KafkaClientSettings.connection(config);
        long timeoutMs = config.get(JobOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis();
        producer.setProperty("transaction.timeout.ms", Long.toString(timeoutMs));
        KafkaRecordSerializationSchema<T> serializer =
                KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(key)
                        .setValueSerializationSchema(new JsonMessageSerializer<T>())
                        .build();
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.require(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + role)
                .build();
    }
}
