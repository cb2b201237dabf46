package io.varflow.pipeline.eval;

import io.varflow.model.io.Npy;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a numpy {@code .npz} archive (a ZIP of {@code .npy} members, as {@code numpy.savez} makes)
 * while the data streams in, so that an array far larger than memory can be packed: a 50 000 x 256
 * x 256 x 3 evaluation set is about 10 GB.
 *
 * <p>Members are STORED (numpy reads them without inflating); each member's size is known from its
 * shape before its data arrives, and its CRC-32 is computed on the way and patched into the local
 * header afterwards, so no data descriptors are needed. ZIP64 records are written for members and
 * archives past 4 GiB (or always, with {@code forceZip64}, which tests use to exercise them on
 * small files). Names are ASCII; the timestamps are a fixed date so equal data gives equal files.
 *
 * <p>Not thread-safe. A failure leaves an incomplete file: write to a temporary name and move it.
 */
public final class NpzStreamWriter implements Closeable {

    private static final int LOCAL_HEADER_SIG = 0x04034b50;
    private static final int CENTRAL_HEADER_SIG = 0x02014b50;
    private static final int END_SIG = 0x06054b50;
    private static final int ZIP64_END_SIG = 0x06064b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final long MAX32 = 0xFFFFFFFFL;
    private static final int MAX16 = 0xFFFF;
    private static final int VERSION_PLAIN = 20;
    private static final int VERSION_ZIP64 = 45;

    /** 1980-01-01 00:00:00 in MS-DOS format: reproducible archives. */
    private static final int DOS_TIME = 0;

    private static final int DOS_DATE = (1 << 5) | 1;
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final boolean forceZip64;
    private final ByteBuffer buffer =
            ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Member> members = new ArrayList<>();
    private ArrayStream open;
    private boolean closed;

    private NpzStreamWriter(FileChannel channel, boolean forceZip64) {
        this.channel = channel;
        this.forceZip64 = forceZip64;
    }

    /** Creates (or truncates) {@code file}. */
    public static NpzStreamWriter create(Path file) throws IOException {
        return create(file, false);
    }

    /**
     * Creates (or truncates) {@code file}; {@code forceZip64} writes ZIP64 records even when not
     * needed.
     */
    public static NpzStreamWriter create(Path file, boolean forceZip64) throws IOException {
        FileChannel channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        return new NpzStreamWriter(channel, forceZip64);
    }

    /**
     * Starts member {@code name}.npy holding a C-order array of {@code dtype} and {@code shape}.
     * Write exactly the array's bytes (little-endian, row-major) to the returned stream, then close
     * it.
     */
    public OutputStream beginArray(String name, Npy.DType dtype, long... shape) throws IOException {
        ensureWritable();
        if (open != null) {
            throw new IllegalStateException("member " + open.member.name + " is still open");
        }
        String entryName = name + ".npy";
        if (!entryName.chars().allMatch(c -> c > 0x20 && c < 0x7F) || name.isEmpty()) {
            throw new IllegalArgumentException(
                    "array name must be printable ASCII without spaces: '" + name + "'");
        }
        for (Member m : members) {
            if (m.name.equals(entryName)) {
                throw new IllegalArgumentException("duplicate array name " + name);
            }
        }
        byte[] header = Npy.header(dtype, shape.clone());
        long dataBytes = Npy.dataBytes(dtype, shape);
        long size = header.length + dataBytes;
        long offset = position();
        Member member = new Member(entryName, offset, size, forceZip64 || size >= MAX32);
        writeLocalHeader(member);
        members.add(member);
        open = new ArrayStream(member, dataBytes);
        open.crc.update(header);
        put(header, 0, header.length);
        return open;
    }

    /** Writes a whole small array held in memory (labels, for instance). */
    public void writeArray(String name, Npy.DType dtype, long[] shape, ByteBuffer littleEndianData)
            throws IOException {
        try (OutputStream out = beginArray(name, dtype, shape)) {
            ByteBuffer data = littleEndianData.duplicate();
            byte[] chunk = new byte[8192];
            while (data.hasRemaining()) {
                int n = Math.min(chunk.length, data.remaining());
                data.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    /** Writes a 1-d int64 array. */
    public void writeInt64s(String name, long[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        data.asLongBuffer().put(values);
        writeArray(name, Npy.DType.INT64, new long[] {values.length}, data);
    }

    /** Writes the central directory and closes the file. Fails if a member is still open. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (open != null) {
                throw new IllegalStateException(
                        "member " + open.member.name + " was not completed");
            }
            writeCentralDirectoryAndEnd();
            flush();
            channel.force(false);
        } finally {
            closed = true;
            channel.close();
        }
    }

    private void writeLocalHeader(Member m) throws IOException {
        byte[] name = m.name.getBytes(StandardCharsets.US_ASCII);
        int extraLength = m.zip64 ? 4 + 16 : 0;
        ensureSpace(30 + name.length + extraLength);
        buffer.putInt(LOCAL_HEADER_SIG);
        buffer.putShort((short) (m.zip64 ? VERSION_ZIP64 : VERSION_PLAIN));
        buffer.putShort((short) 0); // flags
        buffer.putShort((short) 0); // method: STORED
        buffer.putShort((short) DOS_TIME);
        buffer.putShort((short) DOS_DATE);
        buffer.putInt(0); // CRC-32, patched when the data is complete
        buffer.putInt((int) (m.zip64 ? MAX32 : m.size)); // compressed size
        buffer.putInt((int) (m.zip64 ? MAX32 : m.size)); // uncompressed size
        buffer.putShort((short) name.length);
        buffer.putShort((short) extraLength);
        buffer.put(name);
        if (m.zip64) {
            buffer.putShort((short) 0x0001);
            buffer.putShort((short) 16);
            buffer.putLong(m.size); // uncompressed
            buffer.putLong(m.size); // compressed
        }
    }

    private void writeCentralDirectoryAndEnd() throws IOException {
        long cdOffset = position();
        for (Member m : members) {
            writeCentralHeader(m);
        }
        long cdEnd = position();
        long cdSize = cdEnd - cdOffset;
        boolean zip64End =
                forceZip64
                        || members.size() >= MAX16
                        || cdOffset >= MAX32
                        || cdSize >= MAX32
                        || members.stream().anyMatch(m -> m.zip64 || m.offset >= MAX32);
        if (zip64End) {
            ensureSpace(56 + 20);
            buffer.putInt(ZIP64_END_SIG);
            buffer.putLong(44); // size of the rest of this record
            buffer.putShort((short) VERSION_ZIP64); // made by
            buffer.putShort((short) VERSION_ZIP64); // needed
            buffer.putInt(0); // this disk
            buffer.putInt(0); // disk with the central directory
            buffer.putLong(members.size());
            buffer.putLong(members.size());
            buffer.putLong(cdSize);
            buffer.putLong(cdOffset);
            buffer.putInt(ZIP64_LOCATOR_SIG);
            buffer.putInt(0); // disk with the ZIP64 end record
            buffer.putLong(cdEnd);
            buffer.putInt(1); // total disks
        }
        ensureSpace(22);
        buffer.putInt(END_SIG);
        buffer.putShort((short) 0);
        buffer.putShort((short) 0);
        int count = zip64End && (forceZip64 || members.size() >= MAX16) ? MAX16 : members.size();
        buffer.putShort((short) count);
        buffer.putShort((short) count);
        buffer.putInt((int) (zip64End && (forceZip64 || cdSize >= MAX32) ? MAX32 : cdSize));
        buffer.putInt((int) (zip64End && (forceZip64 || cdOffset >= MAX32) ? MAX32 : cdOffset));
        buffer.putShort((short) 0); // comment length
    }

    private void writeCentralHeader(Member m) throws IOException {
        byte[] name = m.name.getBytes(StandardCharsets.US_ASCII);
        boolean bigSize = m.zip64;
        boolean bigOffset = forceZip64 || m.offset >= MAX32;
        int extraData = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
        int extraLength = extraData == 0 ? 0 : 4 + extraData;
        boolean needs64 = extraLength > 0;
        ensureSpace(46 + name.length + extraLength);
        buffer.putInt(CENTRAL_HEADER_SIG);
        buffer.putShort((short) (VERSION_ZIP64 | (3 << 8))); // made by: Unix, spec 4.5
        buffer.putShort((short) (needs64 ? VERSION_ZIP64 : VERSION_PLAIN));
        buffer.putShort((short) 0);
        buffer.putShort((short) 0);
        buffer.putShort((short) DOS_TIME);
        buffer.putShort((short) DOS_DATE);
        buffer.putInt((int) m.crc);
        buffer.putInt((int) (bigSize ? MAX32 : m.size));
        buffer.putInt((int) (bigSize ? MAX32 : m.size));
        buffer.putShort((short) name.length);
        buffer.putShort((short) extraLength);
        buffer.putShort((short) 0); // comment length
        buffer.putShort((short) 0); // disk number start
        buffer.putShort((short) 0); // internal attributes
        buffer.putInt(0100644 << 16); // external attributes: regular file, rw-r--r--
        buffer.putInt((int) (bigOffset ? MAX32 : m.offset));
        buffer.put(name);
        if (needs64) {
            buffer.putShort((short) 0x0001);
            buffer.putShort((short) extraData);
            if (bigSize) {
                buffer.putLong(m.size);
                buffer.putLong(m.size);
            }
            if (bigOffset) {
                buffer.putLong(m.offset);
            }
        }
    }

    private void finishMember(ArrayStream stream) throws IOException {
        open = null;
        if (stream.remaining != 0) {
            throw new IllegalStateException(
                    "array "
                            + stream.member.name
                            + " is "
                            + stream.remaining
                            + " bytes short of its declared shape");
        }
        stream.member.crc = stream.crc.getValue();
        flush();
        ByteBuffer crc =
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt((int) stream.member.crc)
                        .flip();
        long at = stream.member.offset + 14;
        while (crc.hasRemaining()) {
            at += channel.write(crc, at);
        }
    }

    private void ensureWritable() {
        if (closed) {
            throw new IllegalStateException("archive already closed");
        }
    }

    private long position() throws IOException {
        return channel.position() + buffer.position();
    }

    private void ensureSpace(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void put(byte[] bytes, int off, int len) throws IOException {
        while (len > 0) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = Math.min(len, buffer.remaining());
            buffer.put(bytes, off, n);
            off += n;
            len -= n;
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    private static final class Member {
        final String name;
        final long offset;
        final long size;
        final boolean zip64;
        long crc;

        Member(String name, long offset, long size, boolean zip64) {
            this.name = name;
            this.offset = offset;
            this.size = size;
            this.zip64 = zip64;
        }
    }

    /** The data of one member; refuses more bytes than the shape declares. */
    private final class ArrayStream extends OutputStream {
        final Member member;
        final CRC32 crc = new CRC32();
        long remaining;
        boolean done;

        ArrayStream(Member member, long dataBytes) {
            this.member = member;
            this.remaining = dataBytes;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (done) {
                throw new IOException("array " + member.name + " is already closed");
            }
            if (len > remaining) {
                throw new IllegalStateException(
                        "array " + member.name + " got more bytes than its shape holds");
            }
            crc.update(b, off, len);
            put(b, off, len);
            remaining -= len;
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                finishMember(this);
            }
        }
    }
}
