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

/** The job's Kafka sources and outcome sinks, configured from {@link JobConfig}. */
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
     * A sink of the job's outcomes with the delivery of {@code job.result-delivery}. Exactly once
     * (the default): records become visible to {@code read_committed} consumers when the checkpoint
     * that covers them completes; {@code role} makes the transactional ids of the job's sinks
     * distinct. At least once: records are visible as soon as they are sent, and a restart from a
     * checkpoint may send some again (consumers deduplicate by requestId).
     */
    static <T> KafkaSink<T> outcomes(
            JobConfig config, String topic, String role, Class<T> type, SerializationSchema<T> key) {
        Properties producer = KafkaClientSettings.connection(config);
        KafkaRecordSerializationSchema<T> serializer =
                KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(key)
                        .setValueSerializationSchema(new JsonMessageSerializer<>(type))
                        .build();
        DeliveryGuarantee delivery = delivery(config);
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE) {
            long timeoutMs = config.getDuration(JobOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis();
            producer.setProperty("transaction.timeout.ms", Long.toString(timeoutMs));
        }
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(delivery)
                .setTransactionalIdPrefix(config.require(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + role)
                .build();
    }

    /** {@code job.result-delivery}: exactly-once or at-least-once. */
    static DeliveryGuarantee delivery(JobConfig config) {
        String value = config.get(JobOptions.JOB_RESULT_DELIVERY).trim();
        return switch (value) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException(JobOptions.JOB_RESULT_DELIVERY.key()
                    + " must be exactly-once or at-least-once, got '" + value + "'");
        };
    }
}
