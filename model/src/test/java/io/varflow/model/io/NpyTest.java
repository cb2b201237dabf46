package io.varflow.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NpyTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsTheFixtureAndRewritesItByteForByte() throws IOException {
        // encode_input.npy was written by numpy: writing the same array must give the same bytes.
        byte[] original = resource("var-tiny/encode_input.npy");
        Npy.NpyArray array = Npy.read(original);
        assertThat(array.shape()).containsExactly(2, 3, 64, 64);
        assertThat(array.dtype()).isEqualTo(Npy.DType.FLOAT32);
        for (float v : array.floats()) {
            assertThat(v).isBetween(-1f, 1f);
        }
        assertThat(Npy.float32Bytes(array.shape(), array.floats())).isEqualTo(original);
    }

    @Test
    void roundTripsEveryDtypeAndShape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeInt64(out, new long[] {5}, new long[] {-1, 0, 1, Long.MAX_VALUE, 42});
        Npy.NpyArray longs = Npy.read(out.toByteArray());
        assertThat(longs.shape()).containsExactly(5);
        assertThat(longs.asLongs()).containsExactly(-1, 0, 1, Long.MAX_VALUE, 42);
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1))
                .contains("'shape': (5,), }");

        out.reset();
        Npy.writeInt32(out, new long[] {2, 2}, new int[] {1, -2, 3, Integer.MIN_VALUE});
        assertThat(Npy.read(out.toByteArray()).asLongs())
                .containsExactly(1, -2, 3, Integer.MIN_VALUE);

        out.reset();
        Npy.writeUint8(out, new long[] {3}, new byte[] {0, (byte) 200, (byte) 255});
        Npy.NpyArray bytes = Npy.read(out.toByteArray());
        assertThat(bytes.dtype()).isEqualTo(Npy.DType.UINT8);
        assertThat(bytes.asLongs()).containsExactly(0, 200, 255);
        assertThat(bytes.asFloats()).containsExactly(0f, 200f, 255f);

        out.reset();
        Npy.writeFloat64(out, new long[] {}, new double[] {0.25});
        Npy.NpyArray scalar = Npy.read(out.toByteArray());
        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.floats()).containsExactly(0.25f);

        // Data starts on a 64-byte boundary, as numpy writes it.
        int headerLength =
                ByteBuffer.wrap(out.toByteArray(), 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertThat((10 + headerLength) % 64).isZero();
    }

    @Test
    void readsVersion2Headers() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        String header = dict + " ".repeat(128 - 12 - dict.length() - 1) + "\n";
        ByteBuffer file =
                ByteBuffer.allocate(12 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length());
        file.put(header.getBytes(StandardCharsets.ISO_8859_1)).putFloat(1.5f).putFloat(-2f);
        Npy.NpyArray array = Npy.read(file.array());
        assertThat(array.floats()).containsExactly(1.5f, -2f);
    }

    @Test
    void rejectsWhatItCannotRead() {
        assertThatThrownBy(() -> Npy.read("hello".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a .npy");
        byte[] fortran = Npy.float32Bytes(new long[] {2, 2}, new float[4]);
        String text = new String(fortran, StandardCharsets.ISO_8859_1).replace("False", "True ");
        assertThatThrownBy(() -> Npy.read(text.getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Fortran");
        String complex = new String(fortran, StandardCharsets.ISO_8859_1).replace("<f4", "<c8");
        assertThatThrownBy(() -> Npy.read(complex.getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("<c8");
        assertThatThrownBy(() -> Npy.read(Arrays.copyOf(fortran, fortran.length - 3)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Npy.float32Bytes(new long[] {3}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
