package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny fixture model reproduces the official {@code autoregressive_infer_cfg} runs (CPU fp32).
 */
class VarModelGoldenTest {

    private static VarModel model;

    @BeforeAll
    static void load() throws Exception {
        model = VarModel.tiny(RuntimeOptions.CPU_FP32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void everyGoldenRunReproducesTokensExactlyAndImagesWithin1e4() throws Exception {
        List<GoldenFixture.Run> runs = GoldenFixture.generateRuns();
        assertThat(runs).hasSize(3);
        for (GoldenFixture.Run run : runs) {
            List<ImageTask> tasks = new ArrayList<>();
            for (int label : run.labels()) {
                tasks.add(
                        new ImageTask(
                                label,
                                0,
                                new SamplingParams(
                                        run.cfg(), run.topK(), run.topP(), run.smooth())));
            }
            List<GeneratedImage> images = model.generate(tasks);
            assertThat(images).hasSize(run.labels().length);
            float[] expected = GoldenFixture.npyFloats("var-tiny/" + run.imageFile());
            int perImage = expected.length / images.size();
            double maxDiff = 0;
            for (int b = 0; b < images.size(); b++) {
                GeneratedImage image = images.get(b);
                for (int si = 0; si < run.tokens().length; si++) {
                    assertThat(image.tokensPerScale()[si])
                            .as("cfg %s image %d scale %d", run.cfg(), b, si)
                            .containsExactly(run.tokens()[si][b]);
                }
                assertThat(image.pixels()).hasSize(perImage);
                for (int i = 0; i < perImage; i++) {
                    maxDiff =
                            Math.max(
                                    maxDiff,
                                    Math.abs(image.pixels()[i] - expected[b * perImage + i]));
                }
            }
            assertThat(maxDiff)
                    .as("max abs pixel difference, cfg %s", run.cfg())
                    .isLessThanOrEqualTo(1e-4);
        }
    }
}
