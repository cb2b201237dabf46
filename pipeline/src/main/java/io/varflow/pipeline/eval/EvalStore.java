package io.varflow.pipeline.eval;

import java.io.IOException;
import java.util.Set;

/**
 * Read access to where an evaluation set's images are stored: listing for progress, reads for
 * packing.
 */
public interface EvalStore extends AutoCloseable {

    /** Every key that starts with {@code prefix}, at any depth. */
    Set<String> list(String prefix) throws IOException;

    /**
     * The object's bytes; {@link java.nio.file.NoSuchFileException} naming the key when it is
     * absent.
     */
    byte[] get(String key) throws IOException;

    /** Where the store is, for messages ({@code s3://bucket}, a directory). */
    String describe();

    @Override
    default void close() throws IOException {}
}
