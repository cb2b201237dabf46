package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import java.util.Objects;

/**
 * A refused request on the dead-letter topic (schema {@code schemas/dead-letter.schema.json}).
 * {@code original} holds the message value byte for byte (base64 in JSON), so a fixed request can
 * be replayed. Never contains credentials: reasons only describe the request.
 *
 * @param errorCode machine-readable cause
 * @param reason readable cause naming the offending field
 * @param requestId the request's id when one could be read (only if it is safe), else null
 * @param source where the record came from
 * @param original the record value as read
 * @param deadLetteredAt epoch ms when the job refused it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        ErrorCode errorCode,
        String reason,
        String requestId,
        Source source,
        byte[] original,
        long deadLetteredAt) {

    /**
     * Kafka coordinates of the refused record.
     *
     * @param timestamp the record's timestamp (epoch ms), or null when unknown
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String topic, int partition, long offset, Long timestamp) {}

    public DeadLetter {
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        original = original == null ? new byte[0] : original;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d
                && errorCode == d.errorCode
                && reason.equals(d.reason)
                && Objects.equals(requestId, d.requestId)
                && source.equals(d.source)
                && Arrays.equals(original, d.original)
                && deadLetteredAt == d.deadLetteredAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(errorCode, reason, requestId, source, Arrays.hashCode(original), deadLetteredAt);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + errorCode + " " + source.topic() + "/" + source.partition() + "@"
                + source.offset() + ": " + reason + "]";
    }
}
