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
import org.apache.flink.util.function.SerializableFunction;

/** The job's Kafka sources and outcome sinks, configured from {@link JobConfig}. */
final class KafkaConnectors {

    private KafkaConnectors() {}

    /**
     * Raw request records. Starts from the group's committed offsets (earliest when it has none),
     * or from {@code kafka.start-offsets} for the partitions it names; on restore the checkpointed
     * offsets win. Reads {@code read_committed} so transactional producers' aborted writes are
     * never processed. Records larger than the fetch sizes are still read (Kafka returns a first
     * record whatever its size).
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
                .setStartingOffsets(
                        new StartOffsets(
                                StartOffsets.parse(
                                        JobOptions.KAFKA_START_OFFSETS.key(),
                                        config.get(JobOptions.KAFKA_START_OFFSETS))))
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty(
                        "fetch.max.bytes",
                        Integer.toString(config.get(JobOptions.KAFKA_FETCH_MAX_BYTES).intValue()))
                .setProperty(
                        "max.partition.fetch.bytes",
                        Integer.toString(
                                config.get(JobOptions.KAFKA_MAX_PARTITION_FETCH_BYTES).intValue()))
                .build();
    }

    /**
     * A sink of the job's outcomes with the delivery of {@code job.result-delivery}. Exactly once
     * (the default): records become visible to {@code read_committed} consumers when the checkpoint
     * that covers them completes; {@code role} makes the transactional ids of the job's sinks
     * distinct. At least once: records are visible as soon as they are sent, and a restart from a
     * checkpoint may send some again (consumers deduplicate by requestId). Either way no record it
     * writes exceeds {@link #maxRecordBytes}: one that would is shortened with {@code shorten} or
     * diverted to the dead-letter topic ({@link BoundedRecordSerializer}).
     */
    static <T> KafkaSink<T> outcomes(
            JobConfig config,
            String topic,
            String role,
            SerializationSchema<T> key,
            SerializableFunction<T, T> shorten) {
        Properties producer = KafkaClientSettings.connection(config);
        DeliveryGuarantee delivery = delivery(config);
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE) {
            long timeoutMs = config.get(JobOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis();
            producer.setProperty("transaction.timeout.ms", Long.toString(timeoutMs));
        }
        producer.setProperty(
                "max.request.size",
                Integer.toString(config.get(JobOptions.KAFKA_MAX_REQUEST_SIZE).intValue()));
        KafkaRecordSerializationSchema<T> serializer =
                new BoundedRecordSerializer<>(
                        topic,
                        config.require(JobOptions.TOPIC_DEAD_LETTERS),
                        key,
                        shorten,
                        maxRecordBytes(config));
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(delivery)
                .setTransactionalIdPrefix(
                        config.require(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + role)
                .build();
    }

    /** {@code job.result-delivery}: exactly-once or at-least-once. */
    static DeliveryGuarantee delivery(JobConfig config) {
        return switch (config.get(JobOptions.JOB_RESULT_DELIVERY)) {
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> DeliveryGuarantee.EXACTLY_ONCE;
        };
    }

    /** The largest record the job writes: what both the producer and the topics accept. */
    static int maxRecordBytes(JobConfig config) {
        return Math.min(
                config.get(JobOptions.KAFKA_MAX_REQUEST_SIZE).intValue(),
                config.get(JobOptions.KAFKA_MAX_MESSAGE_BYTES).intValue());
    }
}
