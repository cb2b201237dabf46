package io.varflow.operators.edit;

import io.varflow.operators.messages.ErrorCode;

/** What the edit validator decided: exactly one of {@code accepted} and {@code errorCode} is set. */
public record EditVerdict(AcceptedEdit accepted, ErrorCode errorCode, String reason, String requestId) {

    static EditVerdict accept(AcceptedEdit edit) {
        return new EditVerdict(edit, null, null, edit.requestId());
    }

    static EditVerdict reject(ErrorCode code, String reason, String requestId) {
        return new EditVerdict(null, code, reason, requestId);
    }

    public boolean isAccepted() {
        return accepted != null;
    }
}
