package io.varflow.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1, 2 and 3), C order, with element types float32,
 * float64, int64, int32 and uint8. Written files have the same header numpy writes ({@code descr},
 * {@code fortran_order}, {@code shape}, space-padded so the data starts at a multiple of 64 bytes),
 * so {@code numpy.load} reads them and re-writing a numpy file reproduces it byte for byte.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Element types varflow reads and writes, with their numpy descr. */
    public enum DType {
        FLOAT32("<f4", 4),
        FLOAT64("<f8", 8),
        INT64("<i8", 8),
        INT32("<i4", 4),
        UINT8("|u1", 1);

        private final String descr;
        private final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        public String descr() {
            return descr;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }

        public boolean isFloatingPoint() {
            return this == FLOAT32 || this == FLOAT64;
        }

        static DType of(char kind, int bytes) {
            for (DType d : values()) {
                if (d.bytes == bytes && d.descr.charAt(1) == kind) {
                    return d;
                }
            }
            return null;
        }
    }

    /**
     * An array read from a file: its shape, stored element type, and its values as {@code float[]}
     * (float types) or {@code long[]} (integer types); the other array is {@code null}.
     */
    public record NpyArray(long[] shape, DType dtype, float[] floats, long[] longs) {

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Values as floats, converting integers. */
        public float[] asFloats() {
            if (floats != null) {
                return floats;
            }
            float[] result = new float[longs.length];
            for (int i = 0; i < result.length; i++) {
                result[i] = longs[i];
            }
            return result;
        }

        /** Values as longs; floating-point arrays are refused. */
        public long[] asLongs() {
            if (longs == null) {
                throw new IllegalStateException("a " + dtype + " array has no integer values");
            }
            return longs;
        }

        @Override
        public String toString() {
            return "NpyArray" + Arrays.toString(shape) + " " + dtype;
        }
    }

    private Npy() {}

    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    public static NpyArray read(byte[] bytes) throws IOException {
        return read(new java.io.ByteArrayInputStream(bytes), "npy bytes");
    }

    /** Reads one array from {@code in}; {@code name} labels errors. */
    public static NpyArray read(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8 || !Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy file (missing \\x93NUMPY magic)");
        }
        int major = prefix[6];
        int headerLength;
        if (major == 1) {
            byte[] len = in.readNBytes(2);
            if (len.length < 2) {
                throw new IOException(name + ": truncated .npy header");
            }
            headerLength = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = in.readNBytes(4);
            if (len.length < 4) {
                throw new IOException(name + ": truncated .npy header");
            }
            headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new IOException(name + ": unsupported .npy format version " + major);
        }
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerBytes.length < headerLength || headerLength < 0) {
            throw new IOException(name + ": truncated .npy header");
        }
        String header =
                new String(
                        headerBytes,
                        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw new IOException(name + ": malformed .npy header " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(
                    name
                            + ": Fortran-order arrays are not supported; save with numpy's default C order");
        }
        DType dtype = DType.of(descr.group(2).charAt(0), Integer.parseInt(descr.group(3)));
        if (dtype == null) {
            throw new IOException(
                    name
                            + ": unsupported dtype '"
                            + descr.group(1)
                            + descr.group(2)
                            + descr.group(3)
                            + "'; supported: float32, float64, int64, int32, uint8");
        }
        ByteOrder order =
                descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String[] dims = shapeMatch.group(1).split(",");
        long[] shape =
                Arrays.stream(dims)
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .mapToLong(Long::parseLong)
                        .toArray();
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        long byteCount = numel * dtype.bytes;
        if (byteCount > Integer.MAX_VALUE - 16) {
            throw new IOException(name + ": array of " + numel + " elements is too large");
        }
        byte[] data = in.readNBytes((int) byteCount);
        if (data.length < byteCount) {
            throw new IOException(
                    name
                            + ": truncated .npy data ("
                            + data.length
                            + " of "
                            + byteCount
                            + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data).order(order);
        int n = (int) numel;
        switch (dtype) {
            case FLOAT32:
                {
                    float[] f = new float[n];
                    buffer.asFloatBuffer().get(f);
                    return new NpyArray(shape, dtype, f, null);
                }
            case FLOAT64:
                {
                    float[] f = new float[n];
                    for (int i = 0; i < n; i++) {
                        f[i] = (float) buffer.getDouble();
                    }
                    return new NpyArray(shape, dtype, f, null);
                }
            case INT64:
                {
                    long[] l = new long[n];
                    buffer.asLongBuffer().get(l);
                    return new NpyArray(shape, dtype, null, l);
                }
            case INT32:
                {
                    long[] l = new long[n];
                    for (int i = 0; i < n; i++) {
                        l[i] = buffer.getInt();
                    }
                    return new NpyArray(shape, dtype, null, l);
                }
            default:
                {
                    long[] l = new long[n];
                    for (int i = 0; i < n; i++) {
                        l[i] = data[i] & 0xFF;
                    }
                    return new NpyArray(shape, dtype, null, l);
                }
        }
    }

    public static void writeFloat32(OutputStream out, long[] shape, float[] data)
            throws IOException {
        write(out, DType.FLOAT32, shape, data.length, b -> b.asFloatBuffer().put(data));
    }

    public static void writeFloat64(OutputStream out, long[] shape, double[] data)
            throws IOException {
        write(out, DType.FLOAT64, shape, data.length, b -> b.asDoubleBuffer().put(data));
    }

    public static void writeInt64(OutputStream out, long[] shape, long[] data) throws IOException {
        write(out, DType.INT64, shape, data.length, b -> b.asLongBuffer().put(data));
    }

    public static void writeInt32(OutputStream out, long[] shape, int[] data) throws IOException {
        write(out, DType.INT32, shape, data.length, b -> b.asIntBuffer().put(data));
    }

    public static void writeUint8(OutputStream out, long[] shape, byte[] data) throws IOException {
        check(shape, data.length);
        write(out, DType.UINT8, shape, data);
    }

    public static void writeFloat32(Path file, long[] shape, float[] data) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            writeFloat32(out, shape, data);
        }
    }

    public static byte[] float32Bytes(long[] shape, float[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeFloat32(out, shape, data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void check(long[] shape, int length) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + length);
        }
    }

    /**
     * Writes {@code count} values of {@code dtype} that {@code fill} puts into a little-endian
     * buffer.
     */
    private static void write(
            OutputStream out, DType dtype, long[] shape, int count, Consumer<ByteBuffer> fill)
            throws IOException {
        check(shape, count);
        ByteBuffer b = ByteBuffer.allocate(count * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        write(out, dtype, shape, b.array());
    }

    private static void write(OutputStream out, DType dtype, long[] shape, byte[] data)
            throws IOException {
        out.write(header(dtype, shape));
        out.write(data);
        out.flush();
    }

    /**
     * The header numpy writes for a C-order array of {@code dtype} and {@code shape}: magic,
     * version (1, or 2 when the dict outgrows a 16-bit length) and the dict padded with spaces so
     * that the data starts at a multiple of 64 bytes. Streaming writers put it before the array's
     * bytes.
     */
    public static byte[] header(DType dtype, long[] shape) {
        StringBuilder dict =
                new StringBuilder("{'descr': '")
                        .append(dtype.descr)
                        .append("', 'fortran_order': False, ")
                        .append("'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        // Version 1 while the header fits a 16-bit length, as numpy does; pad with spaces, end with
        // '\n'.
        int version = dict.length() + 1 + 10 <= 0xFFFF ? 1 : 2;
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        while (prefix + dict.length() + 1 < total) {
            dict.append(' ');
        }
        dict.append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer header =
                ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            header.putShort((short) text.length);
        } else {
            header.putInt(text.length);
        }
        return header.put(text).array();
    }

    /** Bytes of the data after the header of an array of {@code dtype} and {@code shape}. */
    public static long dataBytes(DType dtype, long[] shape) {
        long elements = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in shape " + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, dim);
        }
        return Math.multiplyExact(elements, (long) dtype.bytes);
    }
}
