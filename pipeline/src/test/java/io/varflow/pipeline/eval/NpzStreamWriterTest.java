package io.varflow.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzStreamWriterTest {

    @TempDir Path dir;

    @ParameterizedTest(name = "forceZip64={0}")
    @ValueSource(booleans = {false, true})
    void streamedImagesAndLabelsReadBackAsNumpyArrays(boolean forceZip64) throws IOException {
        int n = 7, h = 5, w = 6;
        byte[][] images = new byte[n][];
        for (int i = 0; i < n; i++) {
            images[i] = new byte[h * w * 3];
            for (int j = 0; j < images[i].length; j++) {
                images[i][j] = (byte) (i * 31 + j * 7);
            }
        }
        long[] labels = {3, 3, 4, 4, 9, 9, 9};
        Path file = dir.resolve("set.npz");
        try (NpzStreamWriter npz = NpzStreamWriter.create(file, forceZip64)) {
            try (OutputStream arr = npz.beginArray("arr_0", Npy.DType.UINT8, n, h, w, 3)) {
                for (byte[] image : images) {
                    arr.write(image); // one image at a time, as the packer does
                }
            }
            npz.writeInt64s("labels", labels);
        }

        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
            assertThat(names).containsExactly("arr_0.npy", "labels.npy");
            ZipEntry arr0 = zip.getEntry("arr_0.npy");
            assertThat(arr0.getMethod()).isEqualTo(ZipEntry.STORED);

            ParsedNpy images0 =
                    ParsedNpy.read(zip.getInputStream(arr0)); // ZipFile checks the CRC on read
            assertThat(images0.descr).isEqualTo("|u1");
            assertThat(images0.shape).isEqualTo("(7, 5, 6, 3)");
            assertThat(images0.headerBytes % 64).isZero();
            byte[] expected = new byte[n * h * w * 3];
            for (int i = 0; i < n; i++) {
                System.arraycopy(images[i], 0, expected, i * h * w * 3, h * w * 3);
            }
            assertThat(images0.data).isEqualTo(expected);

            ParsedNpy labels0 = ParsedNpy.read(zip.getInputStream(zip.getEntry("labels.npy")));
            assertThat(labels0.descr).isEqualTo("<i8");
            assertThat(labels0.shape).isEqualTo("(7,)");
            long[] readLabels = new long[n];
            ByteBuffer.wrap(labels0.data)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(readLabels);
            assertThat(readLabels).containsExactly(labels);
        }
        assertThat(hasSignature(file, 0x06064b50)).as("ZIP64 end record").isEqualTo(forceZip64);
    }

    @Test
    void sameDataGivesIdenticalFiles() throws IOException {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        for (Path p : List.of(a, b)) {
            try (NpzStreamWriter npz = NpzStreamWriter.create(p)) {
                npz.writeInt64s("labels", new long[] {1, 2, 3});
            }
        }
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void refusesAnArrayShorterOrLongerThanItsShape() throws IOException {
        try (NpzStreamWriter npz = NpzStreamWriter.create(dir.resolve("short.npz"))) {
            OutputStream arr = npz.beginArray("arr_0", Npy.DType.UINT8, 2, 2);
            arr.write(new byte[3]);
            assertThatThrownBy(arr::close).hasMessageContaining("1 bytes short");
        }
        try (NpzStreamWriter npz = NpzStreamWriter.create(dir.resolve("long.npz"))) {
            OutputStream arr = npz.beginArray("arr_0", Npy.DType.UINT8, 2);
            assertThatThrownBy(() -> arr.write(new byte[3])).hasMessageContaining("more bytes");
            arr.write(new byte[2]);
            arr.close();
        }
    }

    @Test
    void refusesToFinishWithAnOpenMember() throws IOException {
        NpzStreamWriter npz = NpzStreamWriter.create(dir.resolve("open.npz"));
        npz.beginArray("arr_0", Npy.DType.UINT8, 4);
        assertThatThrownBy(npz::close).hasMessageContaining("not completed");
    }

    private static boolean hasSignature(Path file, int signature) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= all.limit(); i++) {
            if (all.getInt(i) == signature) {
                return true;
            }
        }
        return false;
    }

    /** A minimal .npy reader for the test: header dict fields and raw data. */
    private static final class ParsedNpy {
        String descr;
        String shape;
        int headerBytes;
        byte[] data;

        static ParsedNpy read(InputStream in) throws IOException {
            byte[] all = in.readAllBytes();
            assertThat(all[0] & 0xFF).isEqualTo(0x93);
            assertThat(new String(all, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
            assertThat(all[6]).isEqualTo((byte) 1);
            int len = (all[8] & 0xFF) | (all[9] & 0xFF) << 8;
            String dict = new String(all, 10, len, StandardCharsets.US_ASCII);
            assertThat(dict).endsWith("\n").contains("'fortran_order': False");
            ParsedNpy npy = new ParsedNpy();
            npy.descr = dict.replaceAll("(?s).*'descr': '([^']*)'.*", "$1");
            npy.shape = dict.replaceAll("(?s).*'shape': (\\([^)]*\\)).*", "$1");
            npy.headerBytes = 10 + len;
            npy.data = java.util.Arrays.copyOfRange(all, 10 + len, all.length);
            return npy;
        }
    }
}
