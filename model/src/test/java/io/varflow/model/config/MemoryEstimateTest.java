package io.varflow.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.varflow.model.RuntimeOptions.Precision;
import io.varflow.model.checkpoint.StateDictLayout;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {

    private static final ModelConfig D16 = ModelConfigs.resolve("d16");

    @Test
    void d16KvCacheMatchesTheSpecFigure() {
        // VAR_SPEC §2: K and V of all 16 blocks, both CFG branches, 680 tokens, fp32: about 178 MB
        // per image.
        long kv = MemoryEstimate.breakdown(D16, Precision.FP32).kvCache();
        assertThat(kv).isEqualTo(2L * 16 * 2 * 680 * 1024 * 4);
        assertThat(kv / 1e6).isCloseTo(178.3, within(0.1));
    }

    @Test
    void weightBytesFollowParameterCountsAndPrecision() {
        long params =
                StateDictLayout.var(D16).parameterCount()
                        + StateDictLayout.vqvae(D16).parameterCount();
        long fp32 = MemoryEstimate.weightBytes(D16, Precision.FP32);
        long fp16 = MemoryEstimate.weightBytes(D16, Precision.FP16);
        // Buffers (masks, zero biases, level indices) add a little on top of the parameters.
        assertThat(fp32).isGreaterThan(params * 4).isLessThan(params * 4 + 8_000_000L);
        assertThat(fp16).isGreaterThan(params * 2).isLessThan(fp32 / 2 + 1_000_000L);
    }

    @Test
    void halfPrecisionHalvesEverythingButTheFp32Logits() {
        MemoryEstimate.Breakdown fp32 = MemoryEstimate.breakdown(D16, Precision.FP32);
        MemoryEstimate.Breakdown fp16 = MemoryEstimate.breakdown(D16, Precision.FP16);
        assertThat(fp16.kvCache() * 2).isEqualTo(fp32.kvCache());
        assertThat(fp16.decoder() * 2).isEqualTo(fp32.decoder());
        assertThat(fp16.logits()).isEqualTo(fp32.logits());
    }

    @Test
    void deeperModelsNeedMoreMemoryPerImage() {
        long previous = 0;
        for (String preset : new String[] {"d16", "d20", "d24", "d30"}) {
            long perImage =
                    MemoryEstimate.bytesPerImage(ModelConfigs.resolve(preset), Precision.FP16);
            assertThat(perImage).isGreaterThan(previous);
            previous = perImage;
        }
    }

    @Test
    void maxBatchFitsTheBudgetAndOneMoreImageDoesNot() {
        long budget = 40L << 30;
        int batch = MemoryEstimate.maxBatch(D16, Precision.FP16, budget);
        long weights = MemoryEstimate.weightBytes(D16, Precision.FP16);
        long perImage = MemoryEstimate.bytesPerImage(D16, Precision.FP16);
        assertThat(batch).isPositive();
        assertThat(weights + batch * perImage).isLessThanOrEqualTo(budget);
        assertThat(weights + (batch + 1) * perImage).isGreaterThan(budget);
        assertThat(MemoryEstimate.maxBatch(D16, Precision.FP16, weights / 2)).isZero();
    }
}
