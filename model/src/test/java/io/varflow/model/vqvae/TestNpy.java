package io.varflow.model.vqvae;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Minimal reader of little-endian float32, C-order .npy test resources. */
final class TestNpy {

    record Array(long[] shape, float[] data) {}

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private TestNpy() {}

    static Array read(String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = TestNpy.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            bytes = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
            throw new IOException(resource + " is not a .npy file");
        }
        int major = bytes[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int headerStart = major == 1 ? 10 : 12;
        String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(resource + ": only little-endian float32 C-order arrays: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException(resource + ": no shape in " + header);
        }
        long[] shape = Arrays.stream(m.group(1).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
        int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[count];
        buf.position(headerStart + headerLength);
        buf.asFloatBuffer().get(data);
        return new Array(shape, data);
    }
}
