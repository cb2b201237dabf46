package io.varflow.pipeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags shared by the commands that run the model in this process and write a folder ({@code
 * sample}, {@code encode}, {@code edit}): how many images go through one forward pass, and where
 * the results go.
 */
public final class ForwardPassOptions {

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output folder (created).")
    private Path out;

    /** Images per forward pass; refuses a value below 1. */
    public int batchSize() {
        if (batchSize < 1) {
            throw new UserInputException("--batch-size must be >= 1, got " + batchSize);
        }
        return batchSize;
    }

    /** The output folder as given. */
    public Path out() {
        return out;
    }
}
