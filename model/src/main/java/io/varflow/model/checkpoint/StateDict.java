package io.varflow.model.checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * A read-only map from parameter names to tensors, in the order the checkpoint lists them. Readers
 * memory-map their file, so tensors are valid only until {@link #close()}.
 */
public interface StateDict extends AutoCloseable {

    /**
     * The file this state dict was read from, for error messages; may be a descriptive pseudo path.
     */
    Path source();

    /** Keys in checkpoint order. */
    List<String> keys();

    boolean contains(String key);

    /**
     * The tensor stored under {@code key}.
     *
     * @throws CheckpointException naming the file and the key when the key is absent or unreadable
     */
    TensorData get(String key) throws CheckpointException;

    @Override
    void close();
}
