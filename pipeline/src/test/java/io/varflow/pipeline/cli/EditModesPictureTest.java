package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.BundledModel;
import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.model.edit.EditSpec;
import io.varflow.model.io.PngImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draws the picture of docs/editing.md with the bundled Fashion-MNIST model: one row per mode
 * (inpaint, outpaint, class-edit, variation), columns source | mask | two results | change of the
 * first result (|result - source| x 4). Run with {@code -Dvarflow.docs.images=DIR} to write {@code
 * DIR/edit-modes.png}; otherwise it draws into a temporary folder and only checks the picture.
 */
class EditModesPictureTest {

    @TempDir Path temp;

    @Test
    void drawsOneRowPerMode() throws Exception {
        String target = System.getProperty("varflow.docs.images");
        Path dir = target == null ? temp : Path.of(target);
        Path file = draw(dir.resolve("edit-modes.png"));
        PngImages.Image picture = PngImages.decode(file);
        int cell = 32 * SCALE;
        assertThat(picture.width()).isEqualTo(5 * cell + 6 * 4);
        assertThat(picture.height()).isEqualTo(4 * cell + 5 * 4);
    }

    private static final int SCALE = 4;
    private static final int SNEAKER = 7;
    private static final int ANKLE_BOOT = 9;

    static Path draw(Path file) throws Exception {
        SamplingParams sampling = new SamplingParams(1.5, 0, 0, false);
        BundledModel fashion = BundledModel.require("fashion");
        try (VarModel model =
                VarModel.load(
                        fashion.config(), fashion.vae(), fashion.var(), RuntimeOptions.CPU_FP32)) {
            ModelConfig config = model.config();
            int size = config.imageSize();
            int nullClass = config.numClasses();
            GeneratedImage source =
                    model.generate(List.of(new ImageTask(SNEAKER, 1, sampling))).get(0);
            EditSource tokens = new EditSource.Tokens(source.tokensPerScale());
            EditRegion centre = EditRegion.box(0.25, 0.25, 0.75, 0.75);
            List<EditSpec> edits =
                    List.of(
                            EditSpec.inpaint(tokens, centre),
                            EditSpec.outpaint(tokens, centre),
                            EditSpec.classEdit(tokens, centre),
                            EditSpec.variation(tokens, 2));
            int[] labels = {nullClass, nullClass, ANKLE_BOOT, SNEAKER};
            List<List<float[]>> rows = new ArrayList<>();
            for (int m = 0; m < edits.size(); m++) {
                EditSpec edit = edits.get(m);
                List<ImageTask> tasks =
                        List.of(
                                new ImageTask(labels[m], 10 + m, sampling, edit),
                                new ImageTask(labels[m], 20 + m, sampling, edit));
                List<float[]> row = new ArrayList<>();
                row.add(upscale(source.pixels(), size));
                row.add(
                        upscale(
                                edit.region() == null
                                        ? variationMask(edit, config)
                                        : EditSheet.maskImage(edit, config),
                                size));
                List<GeneratedImage> results = model.generate(tasks);
                for (GeneratedImage result : results) {
                    row.add(upscale(result.pixels(), size));
                }
                row.add(upscale(difference(source.pixels(), results.get(0).pixels()), size));
                rows.add(row);
            }
            Files.createDirectories(file.getParent());
            return Files.write(file, EditSheet.sideBySide(rows, size * SCALE));
        }
    }

    // |result - source| averaged over channels, times 4, as grey: where the first result changed.
    private static float[] difference(float[] a, float[] b) {
        int plane = a.length / 3;
        float[] out = new float[a.length];
        for (int i = 0; i < plane; i++) {
            float d = 0;
            for (int c = 0; c < 3; c++) {
                d += Math.abs(a[c * plane + i] - b[c * plane + i]);
            }
            float v = Math.min(1f, 4f * d / 3f);
            out[i] = v;
            out[plane + i] = v;
            out[2 * plane + i] = v;
        }
        return out;
    }

    // A variation has no region: draw grey (all scales after the kept ones are resampled).
    private static float[] variationMask(EditSpec edit, ModelConfig config) {
        float[] grey = new float[3 * config.imageSize() * config.imageSize()];
        java.util.Arrays.fill(grey, 0.5f);
        return grey;
    }

    private static float[] upscale(float[] chw, int size) {
        int big = size * SCALE;
        float[] out = new float[3 * big * big];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < big; y++) {
                for (int x = 0; x < big; x++) {
                    out[(c * big + y) * big + x] = chw[(c * size + y / SCALE) * size + x / SCALE];
                }
            }
        }
        return out;
    }
}
