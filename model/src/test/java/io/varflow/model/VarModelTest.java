package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generation behaviour of {@link VarModel} beyond the golden runs: randomness, validation,
 * resources.
 */
class VarModelTest {

    private static final SamplingParams SAMPLED = new SamplingParams(1.5, 20, 0.9, false);

    private static VarModel tiny;

    @BeforeAll
    static void load() throws Exception {
        tiny = VarModel.tiny(RuntimeOptions.CPU_FP32);
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @Test
    void timingsSplitEachCallScaleByScaleAndTheScalesAddUpToTransformerAndSampling() {
        GenerationTimings timings = new GenerationTimings();
        List<ImageTask> tasks = List.of(new ImageTask(1, 7, SAMPLED), new ImageTask(2, 8, SAMPLED));
        List<GeneratedImage> timed = tiny.generate(tasks, timings);

        assertThat(timings.scales()).isEqualTo(tiny.config().numScales());
        double scalesMs = 0;
        for (int si = 0; si < timings.scales(); si++) {
            assertThat(timings.scaleMs(si)).as("scale %d", si).isPositive();
            scalesMs += timings.scaleMs(si);
        }
        assertThat(scalesMs)
                .isCloseTo(
                        timings.transformerMs() + timings.samplingMs(),
                        org.assertj.core.data.Offset.offset(1e-6));
        assertThat(timings.images()).isEqualTo(2);
        // Timing changes nothing of what is drawn.
        assertThat(timed.get(1).tokensPerScale())
                .isDeepEqualTo(tiny.generate(tasks).get(1).tokensPerScale());
    }

    @Test
    void anImagesTokensDoNotDependOnItsBatchMatesOrSlot() {
        ImageTask task = new ImageTask(3, 1234, SAMPLED);
        GeneratedImage alone = tiny.generate(List.of(task)).get(0);
        List<GeneratedImage> batch =
                tiny.generate(
                        List.of(
                                new ImageTask(7, 1, new SamplingParams(4.0, 0, 0, false)),
                                new ImageTask(0, 99, SamplingParams.greedy(1.0)),
                                task,
                                new ImageTask(5, 5, new SamplingParams(0, 3, 0.5, true))));
        assertThat(batch.get(2).task()).isEqualTo(task);
        assertThat(batch.get(2).tokensPerScale()).isDeepEqualTo(alone.tokensPerScale());
        float[] a = alone.pixels();
        float[] b = batch.get(2).pixels();
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        assertThat(maxDiff).isLessThan(1e-4);
    }

    @Test
    void sameSeedGivesSameTokensAndDifferentSeedsDiffer() {
        List<GeneratedImage> first =
                tiny.generate(
                        List.of(new ImageTask(2, 42, SAMPLED), new ImageTask(2, 43, SAMPLED)));
        List<GeneratedImage> again = tiny.generate(List.of(new ImageTask(2, 42, SAMPLED)));
        assertThat(again.get(0).tokensPerScale()).isDeepEqualTo(first.get(0).tokensPerScale());
        assertThat(first.get(1).tokensPerScale()).isNotEqualTo(first.get(0).tokensPerScale());
        assertThat(flatten(first.get(1).tokensPerScale()))
                .isNotEqualTo(flatten(first.get(0).tokensPerScale()));
    }

    @Test
    void resultsHaveOneTokenMapPerScaleAndPixelsInUnitRange() {
        ModelConfig config = tiny.config();
        List<GeneratedImage> images =
                tiny.generate(
                        List.of(
                                new ImageTask(9, 7, SamplingParams.FID),
                                new ImageTask(1, 8, new SamplingParams(3.0, 900, 0.95, true))));
        for (GeneratedImage image : images) {
            GeneratedImageAssertions.assertWellFormed(image, config);
        }
    }

    @Test
    void smoothModeIsReproducibleAndChangesTheImageNotTheTokenCount() {
        ImageTask smooth = new ImageTask(4, 77, new SamplingParams(2.0, 10, 0, true));
        GeneratedImage a = tiny.generate(List.of(smooth)).get(0);
        GeneratedImage b = tiny.generate(List.of(new ImageTask(1, 3, SAMPLED), smooth)).get(1);
        assertThat(b.tokensPerScale()).isDeepEqualTo(a.tokensPerScale());
        GeneratedImage hard =
                tiny.generate(List.of(new ImageTask(4, 77, new SamplingParams(2.0, 10, 0, false))))
                        .get(0);
        assertThat(hard.pixels()).isNotEqualTo(a.pixels());
    }

    @Test
    void labelOutsideTheClassesIsRejectedByName() {
        int classes = tiny.config().numClasses();
        assertThatThrownBy(
                        () ->
                                tiny.generate(
                                        List.of(
                                                new ImageTask(0, 1, SAMPLED),
                                                new ImageTask(classes, 1, SAMPLED))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label " + classes);
        assertThatThrownBy(() -> tiny.generate(List.of(new ImageTask(-1, 1, SAMPLED))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label -1");
        assertThat(tiny.generate(List.of())).isEmpty();
    }

    @Test
    void generateLeavesOnlyTheWeightsOnTheManagers() {
        NDManager weights = tiny.transformer().weightsManager();
        int weightArrays = weights.getManagedArrays().size();
        int vaeArrays = tiny.vqvae().manager().getManagedArrays().size();
        tiny.generate(
                List.of(
                        new ImageTask(1, 1, SAMPLED),
                        new ImageTask(2, 2, new SamplingParams(1, 5, 0.5, true))));
        tiny.generate(List.of(new ImageTask(3, 3, SamplingParams.greedy(2))));
        assertThat(weights.getManagedArrays()).hasSize(weightArrays);
        assertThat(tiny.vqvae().manager().getManagedArrays()).hasSize(vaeArrays);
        NDManager root = weights.getParentManager();
        assertThat(root.getManagedArrays())
                .hasSize(weightArrays); // only the weights' sub-manager is left
    }

    @Test
    void checkpointOfAnotherConfigIsRejectedWithTheKey() {
        ModelConfig tinyConfig = VarModel.tinyConfig();
        ModelConfig deeper =
                new ModelConfig(
                        "deeper",
                        tinyConfig.vocabSize(),
                        tinyConfig.zChannels(),
                        tinyConfig.ch(),
                        tinyConfig.chMult(),
                        tinyConfig.shareQuantResi(),
                        tinyConfig.quantResi(),
                        tinyConfig.patchNums(),
                        3,
                        192,
                        3,
                        tinyConfig.numClasses(),
                        false,
                        true,
                        1e-6,
                        0);
        assertThatThrownBy(
                        () ->
                                VarModel.load(
                                        deeper,
                                        BundledFiles.path("varflow/tiny/vae.pth"),
                                        BundledFiles.path("varflow/tiny/var.pth"),
                                        RuntimeOptions.CPU_FP32))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("var.pth");
    }

    @Test
    void encodeReproducesTheOfficialTokenMapsAndReconstruction() throws Exception {
        com.fasterxml.jackson.databind.JsonNode encode;
        try (java.io.InputStream in =
                getClass().getClassLoader().getResourceAsStream("var-tiny/golden.json")) {
            encode = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("encode");
        }
        float[] input = GoldenFixture.npyFloats("var-tiny/" + encode.get("input_file").asText());
        float[] recon = GoldenFixture.npyFloats("var-tiny/" + encode.get("recon_file").asText());
        int size = tiny.config().imageSize();
        int perImage = 3 * size * size;
        List<float[]> images = new java.util.ArrayList<>();
        for (int b = 0; b < input.length / perImage; b++) {
            float[] unit = new float[perImage];
            for (int i = 0; i < perImage; i++) {
                unit[i] = (input[b * perImage + i] + 1f) / 2f;
            }
            images.add(unit);
        }
        List<EncodedImage> encoded = tiny.encode(images);
        com.fasterxml.jackson.databind.JsonNode scales = encode.get("tokens_per_scale");
        double maxDiff = 0;
        for (int b = 0; b < images.size(); b++) {
            for (int si = 0; si < scales.size(); si++) {
                int[] expected = new int[scales.get(si).get(b).size()];
                for (int j = 0; j < expected.length; j++) {
                    expected[j] = scales.get(si).get(b).get(j).asInt();
                }
                assertThat(encoded.get(b).tokensPerScale()[si])
                        .as("image %d scale %d", b, si)
                        .containsExactly(expected);
            }
            for (int i = 0; i < perImage; i++) {
                maxDiff =
                        Math.max(
                                maxDiff,
                                Math.abs(
                                        encoded.get(b).reconstruction()[i] * 2
                                                - 1
                                                - recon[b * perImage + i]));
            }
        }
        assertThat(maxDiff).isLessThan(1e-4);
    }

    static int[] flatten(int[][] perScale) {
        return java.util.Arrays.stream(perScale).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
