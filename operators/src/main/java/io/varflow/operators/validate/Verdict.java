package io.varflow.operators.validate;

import io.varflow.operators.messages.ErrorCode;

/**
 * What a validator decided about one record: exactly one of {@code accepted} and {@code errorCode}
 * is set. Requests are judged into a {@code Verdict<ValidRequest>}, edits into a {@code
 * Verdict<AcceptedEdit>}.
 *
 * @param accepted the resolved record, null when refused
 * @param errorCode why it was refused, null when accepted
 * @param reason the dead letter's reason, null when accepted
 * @param requestId the record's id when one could be read safely, else null
 */
public record Verdict<T>(T accepted, ErrorCode errorCode, String reason, String requestId) {

    public static <T> Verdict<T> accept(T accepted, String requestId) {
        return new Verdict<>(accepted, null, null, requestId);
    }

    public static <T> Verdict<T> reject(ErrorCode code, String reason, String requestId) {
        return new Verdict<>(null, code, reason, requestId);
    }

    public boolean isAccepted() {
        return accepted != null;
    }
}
