package io.varflow.model.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module compiled by libtorch from source bundled beside this class: the archive
 * libtorch loads is assembled here, in memory, from the source, the pickled module object (the
 * source's class with only its {@code training} flag), an empty constants table and the format
 * version. No Python is involved. The module holds no tensors, so one instance serves every model
 * and device; its manager lives as long as the JVM.
 */
final class TorchScriptModule {

    private TorchScriptModule() {}

    /**
     * Compiles {@code resource}, whose TorchScript class is {@code className}.
     *
     * @throws IllegalStateException when this libtorch cannot compile it (an operator or syntax it
     *     lacks), naming the source
     */
    static PtSymbolBlock load(String resource, String className) {
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
        try (InputStream archive = new ByteArrayInputStream(archive(resource, className))) {
            return JniUtils.loadModule(manager, archive, false, false);
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException("cannot load TorchScript source " + resource, e);
        } catch (EngineException e) {
            manager.close();
            throw new IllegalStateException(
                    "libtorch could not compile varflow's TorchScript source io/varflow/model/nn/"
                            + resource
                            + ": "
                            + e.getMessage().strip(),
                    e);
        }
    }

    /**
     * The archive of {@code resource}. Format version 10 makes libtorch read the source with
     * today's operator signatures (older versions route calls such as {@code gelu} through
     * upgraders to their old schemas).
     */
    static byte[] archive(String resource, String className) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "data.pkl", pickledModule(className));
            stored(zip, "code/__torch__.py", source(resource));
            stored(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(zip, "version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static byte[] source(String resource) throws IOException {
        try (InputStream in = TorchScriptModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    // Pickle protocol 2: __torch__.<className>() with state {"training": True}.
    private static byte[] pickledModule(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80); // PROTO 2
        out.write(2);
        out.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')'); // EMPTY_TUPLE
        out.write(0x81); // NEWOBJ
        out.write('}'); // EMPTY_DICT
        out.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X'); // BINUNICODE, 4-byte little-endian length
        out.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        out.writeBytes(key);
        out.write(0x88); // NEWTRUE
        out.write('u'); // SETITEMS
        out.write('b'); // BUILD
        out.write('.'); // STOP
        return out.toByteArray();
    }

    // libtorch reads archive members in place: store them uncompressed, under one top folder.
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry("functions/" + name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
