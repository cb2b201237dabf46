package io.varflow.pipeline.job;

import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes a sink's messages as JSON and makes sure none is larger than the producer and topic
 * accept ({@code maxRecordBytes}): a message that is too large is first shortened ({@code shorten},
 * e.g. a result event without its image list), and if that is still too large it is diverted to the
 * dead-letter topic as a small {@link ErrorCode#RECORD_TOO_LARGE} letter. A refused record would
 * fail the sink and, replayed after every restart, put the job in a restart loop; this makes that
 * impossible. Each shortening or diversion is logged once, with the record's key.
 */
final class BoundedRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BoundedRecordSerializer.class);

    /**
     * Kafka's batch and record headers around key and value: 61 + 21 bytes at most, with room to
     * spare.
     */
    static final int RECORD_OVERHEAD_BYTES = 512;

    /** How much of a diverted record's JSON its dead letter keeps. */
    static final int DIVERTED_PREFIX_BYTES = 1024;

    private final String topic;
    private final String divertTopic;
    private final SerializationSchema<T> key;
    private final SerializableFunction<T, T> shorten;
    private final int maxRecordBytes;

    /**
     * @param topic where messages go
     * @param divertTopic where a message goes that is too large even when shortened
     * @param key the record key of a message (null for none)
     * @param shorten a smaller form of a message, or the message itself when it has none
     * @param maxRecordBytes the smaller of the producer's max.request.size and the topic's
     *     max.message.bytes
     */
    BoundedRecordSerializer(
            String topic,
            String divertTopic,
            SerializationSchema<T> key,
            SerializableFunction<T, T> shorten,
            int maxRecordBytes) {
        if (maxRecordBytes <= RECORD_OVERHEAD_BYTES + DIVERTED_PREFIX_BYTES * 2) {
            throw new IllegalArgumentException(
                    "the record limit ("
                            + maxRecordBytes
                            + " bytes) is too small to write"
                            + " results and dead letters");
        }
        this.topic = topic;
        this.divertTopic = divertTopic;
        this.key = key;
        this.shorten = shorten;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T message, KafkaSinkContext context, Long timestamp) {
        byte[] k = key.serialize(message);
        byte[] value = Messages.toBytes(message);
        if (fits(k, value)) {
            return record(topic, k, value, timestamp);
        }
        byte[] shortened = Messages.toBytes(shorten.apply(message));
        if (fits(k, shortened)) {
            LOG.warn(
                    "A {} for key {} is {} bytes, more than the {} a record may have; written shortened ({} bytes)",
                    message.getClass().getSimpleName(),
                    keyText(k),
                    value.length,
                    maxRecordBytes,
                    shortened.length);
            return record(topic, k, shortened, timestamp);
        }
        LOG.error(
                "A {} for key {} is {} bytes even when shortened, more than the {} a record may have; diverted to {}"
                        + " as a RECORD_TOO_LARGE dead letter",
                message.getClass().getSimpleName(),
                keyText(k),
                shortened.length,
                maxRecordBytes,
                divertTopic);
        return record(
                divertTopic,
                k,
                Messages.toBytes(diverted(message, k, value, timestamp)),
                timestamp);
    }

    private DeadLetter diverted(T message, byte[] k, byte[] value, Long timestamp) {
        String keyText = keyText(k);
        String reason =
                "a "
                        + message.getClass().getSimpleName()
                        + " of "
                        + value.length
                        + " bytes for "
                        + topic
                        + " exceeds the record limit of "
                        + maxRecordBytes
                        + " bytes even when shortened";
        DeadLetter.Source source = new DeadLetter.Source(topic, -1, -1, timestamp, keyText);
        String requestId = message instanceof DeadLetter d ? d.requestId() : keyText;
        return new DeadLetter(
                ErrorCode.RECORD_TOO_LARGE,
                reason,
                requestId,
                source,
                Arrays.copyOf(value, Math.min(value.length, DIVERTED_PREFIX_BYTES)),
                value.length,
                DeadLetter.sha256(value),
                value.length > DIVERTED_PREFIX_BYTES,
                null,
                System.currentTimeMillis());
    }

    private boolean fits(byte[] k, byte[] value) {
        return (k == null ? 0 : k.length) + value.length + RECORD_OVERHEAD_BYTES <= maxRecordBytes;
    }

    private static ProducerRecord<byte[], byte[]> record(
            String topic, byte[] k, byte[] value, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, timestamp == null || timestamp < 0 ? null : timestamp, k, value);
    }

    private static String keyText(byte[] k) {
        if (k == null) {
            return null;
        }
        String text = new String(k, StandardCharsets.UTF_8);
        return text.length() > DeadLetter.MAX_KEY_CHARS
                ? text.substring(0, DeadLetter.MAX_KEY_CHARS)
                : text;
    }
}
