package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generation is general in the config: other depths, widths, head counts, scale schedules, vocab
 * and class counts, shared AdaLN and attention without l2 norm all build from random weights of
 * their layout and generate.
 */
class VarModelConfigsTest {

    @Test
    void sharedAdaLnModelBuildsAndGenerates() {
        ModelConfig t = VarModel.tinyConfig();
        ModelConfig shared =
                new ModelConfig(
                        "tiny-shared",
                        t.vocabSize(),
                        t.zChannels(),
                        t.ch(),
                        t.chMult(),
                        t.shareQuantResi(),
                        t.quantResi(),
                        t.patchNums(),
                        t.depth(),
                        t.embedDim(),
                        t.numHeads(),
                        t.numClasses(),
                        true,
                        true,
                        1e-6,
                        0);
        assertGenerates(shared);
    }

    @Test
    void otherDepthWidthScalesVocabAndNoL2NormGenerate() {
        // depth 3, 3 heads of 32, 3 scales ending at 5x5, vocab 32, 6 classes, a 3-level VQVAE
        // (x4): 20 px
        ModelConfig other =
                new ModelConfig(
                        "other",
                        32,
                        4,
                        32,
                        List.of(1, 2, 2),
                        2,
                        0.5,
                        List.of(1, 3, 5),
                        3,
                        96,
                        3,
                        6,
                        false,
                        false,
                        1e-6,
                        0);
        assertGenerates(other);
    }

    @Test
    void sharedAdaLnWithoutL2NormAndManyScalesGenerates() {
        ModelConfig other =
                new ModelConfig(
                        "other2",
                        48,
                        8,
                        32,
                        List.of(1, 1, 2, 2, 4),
                        4,
                        0.5,
                        List.of(1, 2, 3, 5, 6),
                        1,
                        64,
                        4,
                        3,
                        true,
                        false,
                        1e-6,
                        0);
        assertGenerates(other);
    }

    private static void assertGenerates(ModelConfig config) {
        try (VarModel model = VarModel.randomWeights(config, 5, RuntimeOptions.CPU_FP32)) {
            SamplingParams sampled = new SamplingParams(2.0, 0, 0.9, false);
            List<ImageTask> tasks =
                    List.of(
                            new ImageTask(config.numClasses() - 1, 1, sampled),
                            new ImageTask(0, 2, SamplingParams.greedy(1.0)));
            List<GeneratedImage> images = model.generate(tasks);
            assertThat(images).hasSize(2);
            for (GeneratedImage image : images) {
                GeneratedImageAssertions.assertWellFormed(image, config);
            }
            // the sampled image is reproducible from its seed alone
            GeneratedImage again = model.generate(List.of(tasks.get(0))).get(0);
            assertThat(again.tokensPerScale()).isDeepEqualTo(images.get(0).tokensPerScale());
        }
    }
}
