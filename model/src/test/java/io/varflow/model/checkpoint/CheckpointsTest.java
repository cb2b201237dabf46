package io.varflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    static final Path TINY_VAR = BundledFiles.path("varflow/tiny/var.pth");
    static final Path TINY_VAE = BundledFiles.path("varflow/tiny/vae.pth");

    @TempDir Path tmp;

    @Test
    void readsTinyVarBuffersWithTheirValues() throws IOException {
        try (StateDict sd = Checkpoints.open(TINY_VAR)) {
            assertThat(sd.keys())
                    .startsWith("pos_start", "pos_1LC", "lvl_1L", "attn_bias_for_masking");
            TensorData lvl = sd.get("lvl_1L");
            assertThat(lvl.dtype()).isEqualTo(TensorDType.INT64);
            assertThat(lvl.shape()).containsExactly(1, 30);
            // Token i belongs to the scale whose range holds it: patch_nums 1,2,3,4 -> 1,4,9,16
            // tokens.
            List<Long> levels = new ArrayList<>();
            ByteBuffer b = lvl.data();
            while (b.hasRemaining()) {
                levels.add(b.getLong());
            }
            List<Long> expected = new ArrayList<>();
            int[] counts = {1, 4, 9, 16};
            for (int s = 0; s < counts.length; s++) {
                for (int i = 0; i < counts[s]; i++) {
                    expected.add((long) s);
                }
            }
            assertThat(levels).isEqualTo(expected);

            TensorData mask = sd.get("attn_bias_for_masking");
            assertThat(mask.shape()).containsExactly(1, 1, 30, 30);
            ByteBuffer m = mask.data();
            for (int i = 0; i < 30; i++) {
                for (int j = 0; j < 30; j++) {
                    float v = m.getFloat();
                    // Block-causal: a query may see keys of its own and earlier scales.
                    if (levels.get(j) <= levels.get(i)) {
                        assertThat(v).isEqualTo(0f);
                    } else {
                        assertThat(v).isEqualTo(Float.NEGATIVE_INFINITY);
                    }
                }
            }
        }
    }

    @Test
    void everyFloatOfTheTinyFixtureIsBfloat16Rounded() throws IOException {
        // The fixture's weights were rounded to bfloat16 precision, so the low 16 bits of every
        // fp32
        // value are zero: a misaligned or mis-strided read would break that almost everywhere.
        for (Path file : List.of(TINY_VAR, TINY_VAE)) {
            try (StateDict sd = Checkpoints.open(file)) {
                long checked = 0;
                long nonZero = 0;
                for (String key : sd.keys()) {
                    TensorData t = sd.get(key);
                    if (t.dtype() != TensorDType.FLOAT32) {
                        continue;
                    }
                    ByteBuffer data = t.data();
                    while (data.hasRemaining()) {
                        int bits = data.getInt();
                        assertThat(bits & 0xFFFF).as(key).isZero();
                        nonZero += bits != 0 ? 1 : 0;
                        checked++;
                    }
                }
                assertThat(checked).isGreaterThan(100_000);
                assertThat(nonZero).isGreaterThan(checked / 2);
            }
        }
    }

    @Test
    void safetensorsRoundTripKeepsKeysOrderBytesAndMetadata() throws IOException {
        Path out = tmp.resolve("var.safetensors");
        List<TensorData> tensors = new ArrayList<>();
        try (StateDict sd = Checkpoints.open(TINY_VAR)) {
            for (String key : sd.keys()) {
                tensors.add(sd.get(key));
            }
            SafetensorsWriter.write(tensors, Map.of("format", "pt"), out);
            try (StateDict copy = Checkpoints.open(out)) {
                assertThat(copy.keys()).isEqualTo(sd.keys());
                assertThat(Checkpoints.metadata(copy)).containsEntry("format", "pt");
                for (String key : sd.keys()) {
                    TensorData a = sd.get(key);
                    TensorData b = copy.get(key);
                    assertThat(b.dtype()).isEqualTo(a.dtype());
                    assertThat(b.shape()).isEqualTo(a.shape());
                    assertThat(b.data()).as(key).isEqualTo(a.data());
                }
            }
        }
        byte[] bytes = Files.readAllBytes(out);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        assertThat((char) bytes[8]).isEqualTo('{');
    }

    @Test
    void nonContiguousViewWithStorageOffsetIsMadeContiguous() throws IOException {
        // Storage holds 0..6 (7 floats); the tensor is the transpose of the 3x2 matrix starting at
        // element 1:
        // storage[1 + i + 2 * j] for i in 0..1, j in 0..2, i.e. size (2, 3), stride (1, 2).
        ByteBuffer storage = ByteBuffer.allocate(7 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 7; i++) {
            storage.putFloat(i);
        }
        byte[] pickle =
                new TorchZipFiles.Pickle()
                        .proto(2)
                        .global("collections", "OrderedDict")
                        .op(')')
                        .op('R')
                        .op('(')
                        .unicode("t")
                        .tensor("FloatStorage", "0", 7, 1, new int[] {2, 3}, new int[] {1, 2})
                        .op('u')
                        .op('.')
                        .bytes();
        Path file =
                TorchZipFiles.write(
                        tmp.resolve("t.pth"), "t", pickle, Map.of("0", storage.array()));
        try (StateDict sd = Checkpoints.open(file)) {
            TensorData t = sd.get("t");
            assertThat(t.shape()).containsExactly(2, 3);
            float[] values = new float[6];
            t.data().asFloatBuffer().get(values);
            assertThat(values).containsExactly(1, 3, 5, 2, 4, 6);
        }
    }

    @Test
    void readsProtocol4OpcodesAndHalfStorages() throws IOException {
        // A plain dict written with protocol-4 opcodes: FRAME, SHORT_BINUNICODE, STACK_GLOBAL,
        // MEMOIZE.
        ByteBuffer half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        half.putShort((short) 0x3c00).putShort((short) 0xc000); // 1.0, -2.0 in IEEE half
        TorchZipFiles.Pickle p = new TorchZipFiles.Pickle().proto(4);
        p.op(0x95).raw(new byte[8]); // FRAME with an (ignored) length
        p.op('}').op(0x94);
        p.shortUnicode("h").op(0x94);
        p.shortUnicode("torch._utils").shortUnicode("_rebuild_tensor_v2").op(0x93).op(0x94);
        p.op('(');
        p.op('(')
                .shortUnicode("storage")
                .shortUnicode("torch")
                .shortUnicode("HalfStorage")
                .op(0x93)
                .shortUnicode("0")
                .shortUnicode("cuda:0")
                .int1(2)
                .op('t')
                .op('Q');
        p.int1(0).int1(2).op(0x85).int1(1).op(0x85).op(0x89).op('N').op('t').op('R');
        p.op('s').op('.');
        Path file =
                TorchZipFiles.write(
                        tmp.resolve("h.pth"), "archive", p.bytes(), Map.of("0", half.array()));
        try (StateDict sd = Checkpoints.open(file)) {
            TensorData t = sd.get("h");
            assertThat(t.dtype()).isEqualTo(TensorDType.FLOAT16);
            assertThat(t.shape()).containsExactly(2);
            assertThat(t.data().getShort(2)).isEqualTo((short) 0xc000);
        }
    }

    @Test
    void textFileIsNotACheckpoint() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.pth"), "these are not weights\n");
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a checkpoint");
    }

    @Test
    void missingFileFailsClearly() {
        Path file = tmp.resolve("absent.pth");
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void truncatedCheckpointFailsClearly() throws IOException {
        byte[] full = Files.readAllBytes(TINY_VAE);
        Path file =
                Files.write(
                        tmp.resolve("vae_truncated.pth"),
                        java.util.Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void storageDataPastEndOfFileFailsNamingTheKey() throws IOException {
        // Cut the middle out of vae.pth but keep its central directory (offsets patched), as a
        // broken
        // transfer that lost a chunk would: entries after the cut point past the end of the file.
        byte[] full = Files.readAllBytes(TINY_VAE);
        ByteBuffer whole = ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = full.length - 22;
        assertThat(whole.getInt(eocd)).isEqualTo(0x06054b50);
        int cdOffset = whole.getInt(eocd + 16);
        int cut = cdOffset / 2;
        byte[] broken = new byte[cut + (full.length - cdOffset)];
        System.arraycopy(full, 0, broken, 0, cut);
        System.arraycopy(full, cdOffset, broken, cut, full.length - cdOffset);
        ByteBuffer.wrap(broken).order(ByteOrder.LITTLE_ENDIAN).putInt(broken.length - 22 + 16, cut);
        Path file = Files.write(tmp.resolve("vae_holed.pth"), broken);
        try (StateDict sd = Checkpoints.open(file)) {
            String last = sd.keys().get(sd.keys().size() - 1);
            assertThatThrownBy(() -> sd.get(last))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(last)
                    .hasMessageContaining("past the end of");
        }
    }

    @Test
    void zipWithoutDataPklFails() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/readme.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        Path file = TorchZipFiles.writeZip(tmp.resolve("plain.zip"), entries, ZipEntry.DEFLATED);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("data.pkl");
    }

    @Test
    void unknownStorageTypeFailsNamingTheKey() throws IOException {
        byte[] pickle =
                new TorchZipFiles.Pickle()
                        .proto(2)
                        .op('}')
                        .op('(')
                        .unicode("w")
                        .tensor("ComplexFloatStorage", "0", 1, 0, new int[] {1}, new int[] {1})
                        .op('u')
                        .op('.')
                        .bytes();
        Path file =
                TorchZipFiles.write(tmp.resolve("c.pth"), "c", pickle, Map.of("0", new byte[8]));
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'w'")
                .hasMessageContaining("unknown storage type torch.ComplexFloatStorage");
    }

    @Test
    void unsupportedPickleOpcodeIsNamed() throws IOException {
        byte[] pickle =
                new TorchZipFiles.Pickle()
                        .proto(2)
                        .global("builtins", "object")
                        .op(')')
                        .op(0x81)
                        .op('.')
                        .bytes();
        Path file = TorchZipFiles.write(tmp.resolve("o.pth"), "o", pickle, Map.of());
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("NEWOBJ");
    }

    @Test
    void legacyTorchFormatIsDetected() throws IOException {
        byte[] legacy = {
            (byte) 0x80,
            0x02,
            (byte) 0x8a,
            0x0a,
            0x6c,
            (byte) 0xfc,
            (byte) 0x9c,
            0x46,
            (byte) 0xf9,
            0x20,
            0x6a,
            (byte) 0xa8,
            0x50,
            0x19,
            0x2e
        };
        Path file = Files.write(tmp.resolve("old.pth"), legacy);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("legacy");
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        try (StateDict sd = Checkpoints.open(TINY_VAR)) {
            assertThatThrownBy(() -> sd.get("blocks.7.attn.proj.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(TINY_VAR.toString())
                    .hasMessageContaining("blocks.7.attn.proj.weight");
        }
    }
}
