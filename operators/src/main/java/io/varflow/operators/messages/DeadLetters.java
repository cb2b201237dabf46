package io.varflow.operators.messages;

import io.varflow.operators.ingest.RawRecord;
import org.apache.flink.util.OutputTag;

/**
 * The side output that carries refused records, shared by every operator that refuses input
 * (request validation, evaluation-set expansion, edits); the flow unions them into one stream.
 */
public final class DeadLetters {

    /** One {@link DeadLetter} per refused record. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    /** The dead letter of {@code record}, carrying its bytes and Kafka coordinates. */
    public static DeadLetter of(RawRecord record, ErrorCode code, String reason, String requestId, long now) {
        return of(record, record.value(), code, reason, requestId, now);
    }

    /** As {@link #of(RawRecord, ErrorCode, String, String, long)} with {@code original} in place of its bytes. */
    public static DeadLetter of(RawRecord record, byte[] original, ErrorCode code, String reason, String requestId,
            long now) {
        DeadLetter.Source source = new DeadLetter.Source(record.topic(), record.partition(), record.offset(),
                record.timestamp() < 0 ? null : record.timestamp());
        return new DeadLetter(code, reason, requestId, source, original, now);
    }
}
