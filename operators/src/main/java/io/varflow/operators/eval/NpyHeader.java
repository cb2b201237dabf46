package io.varflow.operators.eval;

import java.nio.charset.StandardCharsets;

/**
 * The header of a version 1.0 {@code .npy} file: magic, version, and a Python dict literal padded
 * with spaces so that the data starts on a 64-byte boundary (what numpy itself writes).
 */
final class NpyHeader {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;

    private NpyHeader() {}

    /** Header bytes for a C-order array of {@code dtype} with {@code shape}. */
    static byte[] encode(NpyDType dtype, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '")
                .append(dtype.descr())
                .append("', 'fortran_order': False, 'shape': ")
                .append(pythonTuple(shape))
                .append(", }");
        int prefix = MAGIC.length + 2 + 2;
        int unpadded = prefix + dict.length() + 1; // + the closing newline
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        dict.append(" ".repeat(padding)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException("shape too long for a version 1.0 .npy header");
        }
        byte[] header = new byte[prefix + text.length];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[6] = 1; // major version
        header[7] = 0; // minor version
        header[8] = (byte) text.length;
        header[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, header, prefix, text.length);
        return header;
    }

    /** Bytes of the data that follows a header for this dtype and shape. */
    static long dataBytes(NpyDType dtype, long[] shape) {
        long elements = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape");
            }
            elements = Math.multiplyExact(elements, dim);
        }
        return Math.multiplyExact(elements, (long) dtype.bytes());
    }

    private static String pythonTuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }
}
