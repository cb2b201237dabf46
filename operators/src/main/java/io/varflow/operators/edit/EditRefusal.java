package io.varflow.operators.edit;

import io.varflow.operators.messages.ErrorCode;

/**
 * Why an edit is refused: the dead letter's code and reason. Thrown by every step of edit
 * validation (parsing, fetching, decoding, checking against the model), so the code is chosen where
 * the problem is found, never guessed from a message.
 */
public final class EditRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public EditRefusal(ErrorCode code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
