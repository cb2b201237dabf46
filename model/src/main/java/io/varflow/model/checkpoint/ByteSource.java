package io.varflow.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Bounds-checked random access to the bytes of a checkpoint: a memory-mapped file or a byte array.
 */
interface ByteSource extends AutoCloseable {

    /** The file (or a descriptive pseudo path) for error messages. */
    Path path();

    long size();

    /**
     * A little-endian view of {@code length} bytes at {@code offset}, valid until {@link #close()}.
     */
    ByteBuffer map(long offset, long length, String what) throws CheckpointException;

    /** A little-endian copy-or-view of a small region (headers). */
    default ByteBuffer read(long offset, int length, String what) throws CheckpointException {
        return map(offset, length, what);
    }

    @Override
    void close();

    /** Bytes already in memory, such as an object fetched from storage. */
    static ByteSource of(byte[] bytes, Path label) {
        ByteBuffer all = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        return new ByteSource() {
            @Override
            public Path path() {
                return label;
            }

            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public ByteBuffer map(long offset, long length, String what)
                    throws CheckpointException {
                if (offset < 0 || length < 0 || offset + length > bytes.length) {
                    throw new CheckpointException(
                            label,
                            what
                                    + " lies past the end of the data (bytes "
                                    + offset
                                    + ".."
                                    + (offset + length)
                                    + " of "
                                    + bytes.length
                                    + "): truncated or corrupt");
                }
                return all.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
            }

            @Override
            public void close() {}
        };
    }
}
