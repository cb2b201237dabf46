package io.varflow.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch whose rows share their settings takes the shared-mask path; adding one row with other
 * settings sends the same rows through the per-row path. An image's tokens depend only on its own
 * logits and seed, so both must draw the same tokens, bit for bit.
 */
class SamplingPathsTest {

    private static final ModelConfig D16 = ModelConfigs.resolve("d16");

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void sharedAndPerRowPathsDrawTheSameTokensAtEveryD16Scale() {
        assertSameTokens(SamplingParams.FID, new SamplingParams(3.0, 50, 0.5, false), 3, 2.5f);
    }

    @Test
    void sameWithTopPOffAndWithSmoothRows() {
        assertSameTokens(new SamplingParams(1.5, 600, 0, false), SamplingParams.FID, 2, 3f);
        assertSameTokens(new SamplingParams(4.0, 900, 0.95, true), SamplingParams.greedy(1), 2, 2f);
    }

    @Test
    void tiesBeyondTheWindowFallBackToThePerRowMaskWithTheSameTokens() {
        // Scale 0 (one token, guidance weight 0: the guided logits are the conditional ones). In
        // every row 100 logits tie with the 900-th largest, more than the shared window holds.
        int v = D16.vocabSize();
        int rows = 2;
        Random random = new Random(17);
        float[] cond = new float[(rows + 1) * v];
        for (int j = 0; j < cond.length; j++) {
            int rank = j % v;
            cond[j] = rank < 850 ? (float) random.nextGaussian() + 4 : rank < 950 ? 1f : -6f;
        }
        NDArray logits =
                NDArrays.concat(
                        new NDList(
                                manager.create(cond, new Shape(rows + 1, 1, v)),
                                manager.zeros(new Shape(rows + 1, 1, v))),
                        0);
        List<ImageTask> uniform = List.of(task(5, SamplingParams.FID), task(6, SamplingParams.FID));
        List<ImageTask> mixed = new ArrayList<>(uniform);
        mixed.add(task(7, new SamplingParams(1.5, 20, 0.5, false)));
        SamplingBatch fast = SamplingBatch.create(manager, D16, uniform);
        SamplingBatch perRow = SamplingBatch.create(manager, D16, mixed);
        NDArray fastLogits =
                NDArrays.concat(
                        new NDList(
                                logits.get("0:{}", rows),
                                logits.get("{}:{}", rows + 1, 2 * rows + 1)),
                        0);
        NDArray fastGuided = TokenSampler.guide(fastLogits, fast, 0);
        assertThat(fast.sharedMask().apply(fastGuided, fast.topPThreshold(), fast.negInf()))
                .isNull();
        TokenSampler.Draw a = TokenSampler.sample(fastGuided, fast, 0, 0);
        TokenSampler.Draw b =
                TokenSampler.sample(TokenSampler.guide(logits, perRow, 0), perRow, 0, 0);
        BitExact.assertSame(
                a.tokens().toLongArray(), b.tokens().get("0:{}", rows).toLongArray(), "tokens");
        BitExact.assertSame(
                a.maskedLogits().toFloatArray(),
                b.maskedLogits().get("0:{}", rows).toFloatArray(),
                "masked logits");
    }

    @Test
    void sharedPathIsTakenOnlyWhenEveryRowSharesTopKAndTopP() {
        List<ImageTask> same =
                List.of(
                        task(1, SamplingParams.FID),
                        task(2, new SamplingParams(4, 900, 0.96, true)));
        assertThat(SamplingBatch.create(manager, D16, same).sharedMask()).isNotNull();
        for (SamplingParams other :
                new SamplingParams[] {
                    new SamplingParams(1.5, 901, 0.96, false),
                    new SamplingParams(1.5, 900, 0.95, false),
                    new SamplingParams(1.5, 0, 0.96, false),
                }) {
            List<ImageTask> mixed = List.of(task(1, SamplingParams.FID), task(2, other));
            assertThat(SamplingBatch.create(manager, D16, mixed).sharedMask())
                    .as("%s", other)
                    .isNull();
        }
        // top-k 0 (off) or 1 (greedy) everywhere: nothing to share
        assertThat(
                        SamplingBatch.create(
                                        manager,
                                        D16,
                                        List.of(task(1, new SamplingParams(1.5, 0, 0.9, false))))
                                .sharedMask())
                .isNull();
    }

    /**
     * Draws every scale of {@code rows} images with {@code shared} alone (shared path) and again
     * with one more image using {@code odd} (per-row path), from the same guided logits.
     */
    private void assertSameTokens(
            SamplingParams shared, SamplingParams odd, int rows, float scale) {
        List<ImageTask> uniform = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            uniform.add(task(40 + b, shared));
        }
        List<ImageTask> mixed = new ArrayList<>(uniform);
        mixed.add(task(99, odd));
        SamplingBatch fast = SamplingBatch.create(manager, D16, uniform);
        SamplingBatch perRow = SamplingBatch.create(manager, D16, mixed);
        assertThat(fast.sharedMask()).isNotNull();
        assertThat(perRow.sharedMask()).isNull();
        Random random = new Random(rows * 31L + (long) scale);
        int v = D16.vocabSize();
        int[] patchNums = D16.patchNumsArray();
        for (int si = 0; si < patchNums.length; si++) {
            int l = patchNums[si] * patchNums[si];
            // cond rows then uncond rows, as the transformer returns them
            NDArray cond = gaussian(random, new Shape(rows + 1, l, v), scale);
            NDArray uncond = gaussian(random, new Shape(rows + 1, l, v), scale);
            NDArray fastLogits =
                    NDArrays.concat(
                            new NDList(cond.get("0:{}", rows), uncond.get("0:{}", rows)), 0);
            NDArray mixedLogits = NDArrays.concat(new NDList(cond, uncond), 0);
            int start = D16.tokenOffset(si);
            TokenSampler.Draw a =
                    TokenSampler.sample(TokenSampler.guide(fastLogits, fast, si), fast, si, start);
            TokenSampler.Draw b =
                    TokenSampler.sample(
                            TokenSampler.guide(mixedLogits, perRow, si), perRow, si, start);
            BitExact.assertSame(
                    a.tokens().toLongArray(),
                    b.tokens().get("0:{}", rows).toLongArray(),
                    "tokens of scale " + si);
            BitExact.assertSame(
                    a.maskedLogits().toFloatArray(),
                    b.maskedLogits().get("0:{}", rows).toFloatArray(),
                    "masked logits of scale " + si);
        }
    }

    private static ImageTask task(long seed, SamplingParams params) {
        return new ImageTask(3, seed, params);
    }

    private NDArray gaussian(Random random, Shape shape, float scale) {
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return manager.create(values, shape);
    }
}
