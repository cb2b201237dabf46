package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.RandomStateDict;
import io.varflow.model.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coarse-to-fine strip: one decoded image per scale prefix, ending at the full decode. */
class VqVaeScaleStripTest {

    private static final ModelConfig CONFIG =
            new ModelConfig(
                    "strip",
                    16,
                    4,
                    32,
                    List.of(1, 2),
                    1,
                    0.5,
                    List.of(1, 2, 3),
                    1,
                    64,
                    1,
                    10,
                    false,
                    true,
                    1e-6,
                    0);

    @Test
    void lastEntryIsTheFullDecodeAndEarlierOnesDiffer() throws Exception {
        try (VqVae vae =
                        VqVae.load(
                                CONFIG, RandomStateDict.vqvae(CONFIG, 3), RuntimeOptions.CPU_FP32);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            int size = CONFIG.imageSize();
            int[][] tokens = vae.encode(m.randomUniform(-1, 1, new Shape(1, 3, size, size))).get(0);

            NDArray strip = vae.decodeScales(tokens, m);
            NDArray full = vae.decodeTokens(java.util.Collections.singletonList(tokens), m);

            assertThat(strip.getShape()).isEqualTo(new Shape(3, 3, size, size));
            assertThat(strip.get(2).sub(full.get(0)).abs().max().getFloat())
                    .isLessThanOrEqualTo(1e-5f);
            assertThat(strip.get(0).sub(full.get(0)).abs().max().getFloat()).isGreaterThan(1e-4f);
            assertThat(strip.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(strip.min().getFloat()).isGreaterThanOrEqualTo(-1f);
        }
    }

    @Test
    void firstEntryDecodesTheFirstScaleAlone() throws Exception {
        try (VqVae vae =
                        VqVae.load(
                                CONFIG, RandomStateDict.vqvae(CONFIG, 4), RuntimeOptions.CPU_FP32);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            int[][] tokens = {{5}, {1, 2, 3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8}};
            NDArray strip = vae.decodeScales(tokens, m);
            // The first scale's residual alone, through the quantizer's own per-scale path.
            NDArray fHat = vae.newFHat(m, 1);
            vae.addScale(fHat, vae.embed(m.create(new long[] {5}, new Shape(1, 1))), 0);
            NDArray first = vae.decodeFHat(fHat);
            assertThat(strip.get(0).sub(first.get(0)).abs().max().getFloat())
                    .isLessThanOrEqualTo(1e-5f);
        }
    }
}
