package io.varflow.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only checkpoint file from which byte regions are memory-mapped on demand, so a multi-GB
 * checkpoint is never copied into the Java heap. Every read is bounds-checked against the file size
 * so that truncated files fail with a {@link CheckpointException} instead of a {@code SIGBUS}.
 */
final class MappedFile implements ByteSource {

    private final Path path;
    private final FileChannel channel;
    private final long size;

    MappedFile(Path path) throws CheckpointException {
        this.path = path;
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.size = channel.size();
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot open: " + e.getMessage(), e);
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    /** Maps {@code length} bytes at {@code offset}; {@code what} names the region in errors. */
    @Override
    public ByteBuffer map(long offset, long length, String what) throws CheckpointException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new CheckpointException(
                    path,
                    what
                            + " lies past the end of the file (bytes "
                            + offset
                            + ".."
                            + (offset + length)
                            + " of a "
                            + size
                            + "-byte file): the file is truncated or corrupt");
        }
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(
                    path, what + " is " + length + " bytes; regions over 2 GiB are not supported");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            return buffer.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot map " + what + ": " + e.getMessage(), e);
        }
    }

    /** Reads a small region into a heap buffer (headers, directories). */
    @Override
    public ByteBuffer read(long offset, int length, String what) throws CheckpointException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new CheckpointException(
                    path,
                    what
                            + " lies past the end of the file (bytes "
                            + offset
                            + ".."
                            + (offset + length)
                            + " of a "
                            + size
                            + "-byte file): the file is truncated or corrupt");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, offset + buffer.position());
                if (n < 0) {
                    throw new CheckpointException(path, what + ": unexpected end of file");
                }
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot read " + what + ": " + e.getMessage(), e);
        }
        return buffer.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing to do: the channel was read-only.
        }
    }
}
