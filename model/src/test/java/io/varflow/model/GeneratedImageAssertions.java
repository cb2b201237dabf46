package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.config.ModelConfig;
import java.util.Arrays;

/**
 * Checks every generated image must pass, whatever the config: one token map per scale, pixels in
 * [0, 1].
 */
final class GeneratedImageAssertions {

    private GeneratedImageAssertions() {}

    static void assertWellFormed(GeneratedImage image, ModelConfig config) {
        assertThat(image.size()).isEqualTo(config.imageSize());
        assertThat(image.tokensPerScale().length).isEqualTo(config.numScales());
        for (int si = 0; si < config.numScales(); si++) {
            int pn = config.patchNums().get(si);
            assertThat(image.tokensPerScale()[si]).hasSize(pn * pn);
            assertThat(Arrays.stream(image.tokensPerScale()[si]).boxed())
                    .allSatisfy(token -> assertThat(token).isBetween(0, config.vocabSize() - 1));
        }
        assertThat(image.pixels()).hasSize(3 * config.imageSize() * config.imageSize());
        for (float p : image.pixels()) {
            assertThat(p).isBetween(0f, 1f);
        }
    }
}
