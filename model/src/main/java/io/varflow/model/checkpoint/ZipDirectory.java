package io.varflow.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file, read directly so that the data offset of each entry is known
 * and STORED entries can be memory-mapped ({@link java.util.zip.ZipFile} hides those offsets).
 * Handles ZIP64 (files and offsets over 4 GiB) as written by PyTorch's {@code torch.save}.
 */
final class ZipDirectory {

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int EOCD_MIN = 22;
    private static final int MAX_COMMENT = 0xFFFF;

    /** Compression method of a zip entry that is stored without compression. */
    static final int STORED = 0;

    /** One entry: where its local header is and how large its (possibly compressed) data is. */
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {}

    private final MappedFile file;
    private final Map<String, Entry> entries;

    private ZipDirectory(MappedFile file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    static ZipDirectory read(MappedFile file) throws CheckpointException {
        long size = file.size();
        if (size < EOCD_MIN) {
            throw new CheckpointException(
                    file.path(), "zip file of " + size + " bytes is truncated");
        }
        int tailLength = (int) Math.min(size, EOCD_MIN + MAX_COMMENT);
        ByteBuffer tail = file.read(size - tailLength, tailLength, "zip trailer");
        int eocd = -1;
        for (int i = tailLength - EOCD_MIN; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(
                    file.path(),
                    "no zip end-of-central-directory record: the file is truncated or not a zip");
        }
        long eocdOffset = size - tailLength + eocd;
        long count = Short.toUnsignedInt(tail.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            if (eocdOffset < 20) {
                throw new CheckpointException(
                        file.path(), "ZIP64 end-of-central-directory locator is missing");
            }
            ByteBuffer locator = file.read(eocdOffset - 20, 20, "ZIP64 locator");
            if (locator.getInt(0) != ZIP64_LOCATOR_SIG) {
                throw new CheckpointException(
                        file.path(), "ZIP64 end-of-central-directory locator is missing");
            }
            long zip64Offset = locator.getLong(8);
            ByteBuffer zip64 = file.read(zip64Offset, 56, "ZIP64 end-of-central-directory record");
            if (zip64.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointException(
                        file.path(), "bad ZIP64 end-of-central-directory record");
            }
            count = zip64.getLong(32);
            cdSize = zip64.getLong(40);
            cdOffset = zip64.getLong(48);
        }
        if (cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw new CheckpointException(
                    file.path(),
                    "central directory (bytes "
                            + cdOffset
                            + ".."
                            + (cdOffset + cdSize)
                            + ") lies past the end of the "
                            + size
                            + "-byte file: the file is truncated");
        }
        ByteBuffer cd = file.read(cdOffset, (int) cdSize, "central directory");
        Map<String, Entry> entries = new LinkedHashMap<>();
        int pos = 0;
        for (long i = 0; i < count; i++) {
            if (pos + 46 > cd.limit() || cd.getInt(pos) != CENTRAL_SIG) {
                throw new CheckpointException(
                        file.path(), "corrupt zip central directory at entry " + i);
            }
            int method = Short.toUnsignedInt(cd.getShort(pos + 10));
            long compressed = Integer.toUnsignedLong(cd.getInt(pos + 20));
            long uncompressed = Integer.toUnsignedLong(cd.getInt(pos + 24));
            int nameLength = Short.toUnsignedInt(cd.getShort(pos + 28));
            int extraLength = Short.toUnsignedInt(cd.getShort(pos + 30));
            int commentLength = Short.toUnsignedInt(cd.getShort(pos + 32));
            long localOffset = Integer.toUnsignedLong(cd.getInt(pos + 42));
            if (pos + 46 + nameLength + extraLength > cd.limit()) {
                throw new CheckpointException(
                        file.path(), "corrupt zip central directory at entry " + i);
            }
            byte[] nameBytes = new byte[nameLength];
            cd.get(pos + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extended information: only the fields saturated in the fixed record are
            // present, in this order.
            int extra = pos + 46 + nameLength;
            int extraEnd = extra + extraLength;
            while (extra + 4 <= extraEnd) {
                int id = Short.toUnsignedInt(cd.getShort(extra));
                int length = Short.toUnsignedInt(cd.getShort(extra + 2));
                if (id == 0x0001) {
                    int field = extra + 4;
                    if (uncompressed == 0xFFFFFFFFL) {
                        uncompressed = cd.getLong(field);
                        field += 8;
                    }
                    if (compressed == 0xFFFFFFFFL) {
                        compressed = cd.getLong(field);
                        field += 8;
                    }
                    if (localOffset == 0xFFFFFFFFL) {
                        localOffset = cd.getLong(field);
                    }
                }
                extra += 4 + length;
            }
            entries.put(name, new Entry(name, method, compressed, uncompressed, localOffset));
            pos += 46 + nameLength + extraLength + commentLength;
        }
        return new ZipDirectory(file, entries);
    }

    /**
     * Offset of the first data byte of {@code entry}, after its local header (whose name and extra
     * lengths may differ from the central directory's); {@code what} names the entry in errors.
     */
    long dataOffset(Entry entry, String what) throws CheckpointException {
        ByteBuffer local = file.read(entry.localHeaderOffset(), 30, "local header of " + what);
        if (local.getInt(0) != LOCAL_SIG) {
            throw new CheckpointException(
                    file.path(),
                    what
                            + " has no local header at offset "
                            + entry.localHeaderOffset()
                            + ": the file is corrupt");
        }
        int nameLength = Short.toUnsignedInt(local.getShort(26));
        int extraLength = Short.toUnsignedInt(local.getShort(28));
        long start = entry.localHeaderOffset() + 30 + nameLength + extraLength;
        if (start + entry.compressedSize() > file.size()) {
            throw new CheckpointException(
                    file.path(),
                    "data of "
                            + what
                            + " (bytes "
                            + start
                            + ".."
                            + (start + entry.compressedSize())
                            + ") lies past the end of the "
                            + file.size()
                            + "-byte file: the file is truncated");
        }
        return start;
    }
}
