package io.varflow.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small torch.save-style zip checkpoints (STORED entries under a root folder) for tests. */
final class TorchZipFiles {

    private TorchZipFiles() {}

    /**
     * Writes {@code root/data.pkl} with {@code pickle} and the given storages as {@code
     * root/data/<key>}.
     */
    static Path write(Path file, String root, byte[] pickle, Map<String, byte[]> storages)
            throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(root + "/data.pkl", pickle);
        entries.put(root + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach((key, bytes) -> entries.put(root + "/data/" + key, bytes));
        entries.put(root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return writeZip(file, entries, ZipEntry.STORED);
    }

    static Path writeZip(Path file, Map<String, byte[]> entries, int method) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A tiny pickle assembler for the opcodes torch.save uses. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int opcode) {
            out.write(opcode);
            return this;
        }

        Pickle proto(int version) {
            return op(0x80).op(version);
        }

        Pickle global(String module, String name) {
            op('c');
            raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle unicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            int32(b.length);
            raw(b);
            return this;
        }

        Pickle shortUnicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c).op(b.length);
            raw(b);
            return this;
        }

        Pickle int1(int v) {
            return op('K').op(v);
        }

        Pickle int32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write((v >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        Pickle binint(int v) {
            op('J');
            return int32(v);
        }

        Pickle raw(byte[] bytes) {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        /**
         * One {@code _rebuild_tensor_v2} call as torch writes it: storage persistent id, offset,
         * size, stride, requires_grad, backward hooks.
         */
        Pickle tensor(
                String storageType, String key, int numel, int offset, int[] size, int[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            op('(');
            op('(').unicode("storage")
                    .global("torch", storageType)
                    .unicode(key)
                    .unicode("cpu")
                    .binint(numel)
                    .op('t');
            op('Q');
            binint(offset);
            op('(');
            for (int s : size) {
                binint(s);
            }
            op('t');
            op('(');
            for (int s : stride) {
                binint(s);
            }
            op('t');
            op(0x89);
            global("collections", "OrderedDict").op(')').op('R');
            op('t');
            return op('R');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
