package io.varflow.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.SamplingParams;
import io.varflow.operators.eval.EvalPlan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalPackerTest {

    private static final int SIZE = 8;

    @TempDir Path dir;

    @Test
    void packsStoredPngsClassMajorWithLabels() throws IOException {
        EvalPlan plan =
                new EvalPlan("t", null, List.of(2, 5, 6), 2, 7, SamplingParams.FID, "evals/t");
        Path root = dir.resolve("store");
        // Store in reverse order: packing must follow the plan, not the store.
        List<EvalPlan.EvalItem> items = new ArrayList<>(plan.items());
        java.util.Collections.reverse(items);
        for (EvalPlan.EvalItem item : items) {
            Path file = root.resolve(item.key());
            Files.createDirectories(file.getParent());
            Files.write(file, png(item.label(), item.index()));
        }
        EvalStore store = new DirectoryEvalStore(root);
        assertThat(EvalStatus.of(plan, store).complete()).isTrue();

        List<Integer> progress = new ArrayList<>();
        Path npzFile = dir.resolve("samples.npz");
        EvalPacker.Packed packed =
                new EvalPacker(store, 3).pack(plan, SIZE, npzFile, progress::add);

        assertThat(progress).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(packed.arrays().get("arr_0")).containsExactly(6L, 8L, 8L, 3L);
        assertThat(packed.bytes()).isEqualTo(Files.size(npzFile));
        assertThat(dir.resolve("samples.npz.partial")).doesNotExist();
        try (ZipFile zip = new ZipFile(npzFile.toFile())) {
            byte[] arr = zip.getInputStream(zip.getEntry("arr_0.npy")).readAllBytes();
            int header = arr.length - 6 * SIZE * SIZE * 3;
            assertThat(header % 64).isZero();
            for (EvalPlan.EvalItem item : plan.items()) {
                int at = header + item.ordinal() * SIZE * SIZE * 3;
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        int o = at + (y * SIZE + x) * 3;
                        assertThat(new int[] {arr[o] & 0xFF, arr[o + 1] & 0xFF, arr[o + 2] & 0xFF})
                                .containsExactly(rgb(item.label(), item.index(), x, y));
                    }
                }
            }
            byte[] labels = zip.getInputStream(zip.getEntry("labels.npy")).readAllBytes();
            ByteBuffer data =
                    ByteBuffer.wrap(labels, labels.length - 48, 48).order(ByteOrder.LITTLE_ENDIAN);
            long[] read = new long[6];
            data.asLongBuffer().get(read);
            assertThat(read).containsExactly(2, 2, 5, 5, 6, 6);
        }
    }

    @Test
    void namesTheFirstMissingImageAndLeavesNoArchive() throws IOException {
        EvalPlan plan = new EvalPlan("t", null, List.of(0, 1), 2, 0, SamplingParams.FID, "evals/t");
        Path root = dir.resolve("store");
        for (EvalPlan.EvalItem item : plan.items()) {
            if (item.ordinal() != 2) {
                Path file = root.resolve(item.key());
                Files.createDirectories(file.getParent());
                Files.write(file, png(item.label(), item.index()));
            }
        }
        Files.writeString(
                Files.createDirectories(root.resolve("evals/t/t-0009")).resolve("0000.png"),
                "stray");
        EvalStore store = new DirectoryEvalStore(root);
        EvalStatus status = EvalStatus.of(plan, store);
        assertThat(status.done()).isEqualTo(3);
        assertThat(status.incompleteClasses()).containsExactly(1);
        assertThat(status.unexpected()).containsExactly("evals/t/t-0009/0000.png");

        Path npzFile = dir.resolve("samples.npz");
        assertThatThrownBy(() -> new EvalPacker(store, 2).pack(plan, SIZE, npzFile, i -> {}))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("evals/t/t-0001/0000.png");
        assertThat(npzFile).doesNotExist();
        assertThat(dir.resolve("samples.npz.partial")).doesNotExist();
    }

    @Test
    void refusesImagesOfTheWrongSize() throws IOException {
        EvalPlan plan = new EvalPlan("t", null, List.of(0), 1, 0, SamplingParams.FID, "p");
        Path file = dir.resolve("s").resolve(plan.key(0, 0));
        Files.createDirectories(file.getParent());
        Files.write(file, png(0, 0));
        assertThatThrownBy(
                        () ->
                                new EvalPacker(new DirectoryEvalStore(dir.resolve("s")), 1)
                                        .pack(plan, 16, dir.resolve("x.npz"), i -> {}))
                .hasMessageContaining("is 8x8, expected 16x16");
    }

    private static int[] rgb(int label, int index, int x, int y) {
        return new int[] {
            (label * 40 + x * 13) & 0xFF, (index * 90 + y * 17) & 0xFF, (x * y * 3 + 1) & 0xFF
        };
    }

    private static byte[] png(int label, int index) throws IOException {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int[] c = rgb(label, index, x, y);
                image.setRGB(x, y, c[0] << 16 | c[1] << 8 | c[2]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
