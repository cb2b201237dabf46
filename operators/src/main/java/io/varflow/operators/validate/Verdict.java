package io.varflow.operators.validate;

import io.varflow.operators.messages.ErrorCode;

/**
 * What the validator decided about one record: exactly one of {@code accepted} and
 * {@code errorCode} is set.
 */
public record Verdict(ValidRequest accepted, ErrorCode errorCode, String reason, String requestId) {

    static Verdict accept(ValidRequest request) {
        return new Verdict(request, null, null, request.requestId());
    }

    static Verdict reject(ErrorCode code, String reason, String requestId) {
        return new Verdict(null, code, reason, requestId);
    }

    public boolean isAccepted() {
        return accepted != null;
    }
}
