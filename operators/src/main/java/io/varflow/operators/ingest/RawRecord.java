package io.varflow.operators.ingest;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request record exactly as read from Kafka: the value's bytes (never parsed here) and its
 * coordinates, so that a refused record can be dead-lettered with its origin. A Flink POJO (a
 * public record of basic types), serialized without Kryo.
 *
 * @param value the record value, empty for a tombstone
 * @param topic source topic
 * @param partition source partition
 * @param offset offset in the partition
 * @param timestamp the record's timestamp (epoch ms), or -1 when the source has none
 * @param key the record key, empty when it has none (only copied into dead letters)
 */
public record RawRecord(
        byte[] value, String topic, int partition, long offset, long timestamp, byte[] key) {

    public RawRecord {
        value = value == null ? new byte[0] : value;
        topic = topic == null ? "" : topic;
        key = key == null ? new byte[0] : key;
    }

    /** A record without a key. */
    public RawRecord(byte[] value, String topic, int partition, long offset, long timestamp) {
        this(value, topic, partition, offset, timestamp, null);
    }

    /** A record that did not come from Kafka (tests, files): coordinates name the origin. */
    public static RawRecord of(byte[] value, String origin, long sequence) {
        return new RawRecord(value, origin, 0, sequence, -1);
    }

    /** Short human-readable origin, e.g. {@code requests/3@1042}. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && Arrays.equals(value, r.value)
                && topic.equals(r.topic)
                && partition == r.partition
                && offset == r.offset
                && timestamp == r.timestamp
                && Arrays.equals(key, r.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(value), topic, partition, offset, timestamp, Arrays.hashCode(key));
    }

    @Override
    public String toString() {
        return "RawRecord[" + coordinates() + ", " + value.length + " bytes]";
    }
}
