package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.varflow.operators.ingest.RawRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A refused request on the dead-letter topic (schema {@code schemas/dead-letter.schema.json}).
 * {@code original} holds the message value byte for byte (base64 in JSON), so a fixed request can
 * be replayed, but on the topic only up to a configured prefix of it ({@link #bounded}): the record
 * must stay below what the dead-letter producer and topic accept whatever the input was. {@code
 * originalSize} and {@code originalSha256} always describe the whole value; when it was archived
 * whole, {@code originalObject} names the object. Never contains credentials: reasons only describe
 * the request.
 *
 * @param errorCode machine-readable cause
 * @param reason readable cause naming the offending field
 * @param requestId the request's id when one could be read (only if it is safe), else null
 * @param source where the record came from
 * @param original the record value as read, or its first bytes when {@code originalTruncated}
 * @param originalSize length of the whole record value in bytes
 * @param originalSha256 SHA-256 of the whole record value, lower-case hex
 * @param originalTruncated true when {@code original} is only a prefix of the value
 * @param originalObject {@code s3://bucket/key} of the whole value when it was archived, else null
 * @param deadLetteredAt epoch ms when the job refused it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        ErrorCode errorCode,
        String reason,
        String requestId,
        Source source,
        byte[] original,
        long originalSize,
        String originalSha256,
        boolean originalTruncated,
        String originalObject,
        long deadLetteredAt) {

    /** Longest key copied into {@link Source#key()}, in characters. */
    public static final int MAX_KEY_CHARS = 256;

    /**
     * Kafka coordinates of the refused record.
     *
     * @param timestamp the record's timestamp (epoch ms), or null when unknown
     * @param key the record key as UTF-8 text (at most {@link #MAX_KEY_CHARS} characters), null
     *     when it had none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String topic, int partition, long offset, Long timestamp, String key) {

        /** Coordinates without a key. */
        public Source(String topic, int partition, long offset, Long timestamp) {
            this(topic, partition, offset, timestamp, null);
        }

        /** The coordinates of {@code record}. */
        public static Source of(RawRecord record) {
            String key = null;
            if (record.key().length > 0) {
                key = new String(record.key(), StandardCharsets.UTF_8);
                key = key.length() > MAX_KEY_CHARS ? key.substring(0, MAX_KEY_CHARS) : key;
            }
            return new Source(
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.timestamp() < 0 ? null : record.timestamp(),
                    key);
        }

        /** Short human-readable origin, e.g. {@code requests/3@1042}. */
        public String coordinates() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    public DeadLetter {
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        original = original == null ? new byte[0] : original;
        if (originalSha256 == null) {
            originalSize = original.length;
            originalSha256 = sha256(original);
        }
    }

    /** A letter holding the whole value {@code original}. */
    public DeadLetter(
            ErrorCode errorCode,
            String reason,
            String requestId,
            Source source,
            byte[] original,
            long deadLetteredAt) {
        this(errorCode, reason, requestId, source, original, 0, null, false, null, deadLetteredAt);
    }

    /**
     * This letter as written to the topic: at most {@code maxOriginalBytes} of the value and at
     * most {@code maxReasonChars} of the reason; size and digest still describe the whole value.
     */
    public DeadLetter bounded(int maxOriginalBytes, int maxReasonChars) {
        boolean cut = original.length > maxOriginalBytes;
        byte[] kept = cut ? Arrays.copyOf(original, maxOriginalBytes) : original;
        String shortReason =
                reason.length() > maxReasonChars
                        ? reason.substring(0, maxReasonChars) + "…"
                        : reason;
        if (!cut && shortReason.equals(reason)) {
            return this;
        }
        return new DeadLetter(
                errorCode,
                shortReason,
                requestId,
                source,
                kept,
                originalSize,
                originalSha256,
                originalTruncated || cut,
                originalObject,
                deadLetteredAt);
    }

    /** This letter naming {@code objectUri} as where its whole value was archived. */
    public DeadLetter archivedAt(String objectUri) {
        return new DeadLetter(
                errorCode,
                reason,
                requestId,
                source,
                original,
                originalSize,
                originalSha256,
                originalTruncated,
                objectUri,
                deadLetteredAt);
    }

    /** SHA-256 of {@code bytes}, lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d
                && errorCode == d.errorCode
                && reason.equals(d.reason)
                && Objects.equals(requestId, d.requestId)
                && source.equals(d.source)
                && Arrays.equals(original, d.original)
                && originalSize == d.originalSize
                && originalSha256.equals(d.originalSha256)
                && originalTruncated == d.originalTruncated
                && Objects.equals(originalObject, d.originalObject)
                && deadLetteredAt == d.deadLetteredAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                errorCode,
                reason,
                requestId,
                source,
                Arrays.hashCode(original),
                originalSize,
                originalSha256,
                originalTruncated,
                originalObject,
                deadLetteredAt);
    }

    @Override
    public String toString() {
        return "DeadLetter["
                + errorCode
                + " "
                + source.coordinates()
                + " ("
                + originalSize
                + " bytes): "
                + reason
                + "]";
    }
}
