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

    /** The dead letter of {@code record}: its coordinates (key included) and its whole value. */
    public static DeadLetter of(
            RawRecord record, ErrorCode code, String reason, String requestId, long now) {
        return new DeadLetter(
                code, reason, requestId, DeadLetter.Source.of(record), record.value(), now);
    }
}
