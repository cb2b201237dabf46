package io.varflow.pipeline.cli;

/** A problem with what the user asked for; shown as one line, exit code 2. */
public class UserInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
