package io.varflow.model.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be used: not a checkpoint, truncated, or holding keys or shapes that do
 * not fit the model config. The message names the file and, where there is one, the first offending
 * key.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String message) {
        super(file + ": " + message);
    }

    public CheckpointException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
