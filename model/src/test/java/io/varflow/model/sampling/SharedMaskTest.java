package io.varflow.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared (batch-wide) mask gives bit for bit the per-row path's masked logits. */
class SharedMaskTest {

    private NDManager manager;
    private NDArray negInf;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        negInf = manager.create(Float.NEGATIVE_INFINITY);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void topKAndTopPMatchThePerRowMaskOnRealisticSizes() {
        Random random = new Random(21);
        for (double p : new double[] {0.96, 0.5, 0.999, 0.01}) {
            float[] values = gaussian(random, 3 * 7 * 4096, 2.5f);
            assertSameAsPerRow(values, new Shape(3, 7, 4096), 900, p);
        }
    }

    @Test
    void topKAloneMatchesThePerRowMask() {
        Random random = new Random(5);
        assertSameAsPerRow(gaussian(random, 2 * 9 * 4096, 3f), new Shape(2, 9, 4096), 900, 0);
        assertSameAsPerRow(gaussian(random, 4 * 3 * 64, 1f), new Shape(4, 3, 64), 20, 0);
    }

    @Test
    void windowCoveringTheWholeVocabularyMatches() {
        // k + margin >= V: the window is the whole row.
        Random random = new Random(9);
        assertSameAsPerRow(gaussian(random, 2 * 5 * 64, 2f), new Shape(2, 5, 64), 40, 0.9);
    }

    @Test
    void tiesAroundTheKthLargestWithinTheMarginStillMatch() {
        // Distinct logits, then ranks k - 6 .. k + 12 (descending) set to one value: 19 logits tie
        // with the k-th largest, 13 of them outside the k largest but inside the window.
        Random random = new Random(13);
        int v = 4096;
        int k = 900;
        int rows = 3;
        float[] values = new float[rows * v];
        for (int r = 0; r < rows; r++) {
            Integer[] order = new Integer[v];
            for (int j = 0; j < v; j++) {
                order[j] = j;
                values[r * v + j] = (float) random.nextGaussian() * 2;
            }
            final int row = r;
            java.util.Arrays.sort(
                    order, (x, y) -> Float.compare(values[row * v + y], values[row * v + x]));
            float tie = values[r * v + order[k - 1]];
            for (int rank = k - 7; rank < k + 12; rank++) {
                values[r * v + order[rank]] = tie;
            }
        }
        assertSameAsPerRow(values, new Shape(rows, 1, v), k, 0.96);
        assertSameAsPerRow(values, new Shape(rows, 1, v), k, 0.3);
        assertSameAsPerRow(values, new Shape(rows, 1, v), k, 0);
    }

    @Test
    void moreTiesThanTheMarginAreLeftToThePerRowPath() {
        // Row 0: the k-th largest value is shared by far more logits than the window holds.
        int v = 4096;
        int k = 900;
        float[] values = new float[v];
        for (int j = 0; j < v; j++) {
            values[j] =
                    j < k - 10 ? 5f + j * 1e-3f : (j < k + 2 * SharedMask.TIE_MARGIN ? 1f : -3f);
        }
        NDArray logits = manager.create(values, new Shape(1, 1, v));
        SharedMask shared = SharedMask.create(manager, k, v, true);
        assertThat(shared.apply(logits, threshold(1, 0.96), negInf)).isNull();
        BitExact.assertSame(logits.toFloatArray(), values, "logits left as they were");
        // Without top-p no window is needed, and ties are kept as the per-row path keeps them.
        NDArray topKOnly =
                SharedMask.create(manager, k, v, false)
                        .apply(logits.duplicate(), threshold(1, 0), negInf);
        BitExact.assertSame(topKOnly.toFloatArray(), perRow(logits, k, 0), "top-k only");
    }

    private void assertSameAsPerRow(float[] values, Shape shape, int k, double p) {
        NDArray logits = manager.create(values, shape);
        int rows = (int) shape.get(0);
        SharedMask shared = SharedMask.create(manager, k, (int) shape.get(2), p > 0);
        NDArray fast = shared.apply(logits.duplicate(), threshold(rows, p), negInf);
        assertThat(fast).as("k %d p %s: no tie overflow expected", k, p).isNotNull();
        BitExact.assertSame(fast.toFloatArray(), perRow(logits, k, p), "k " + k + " p " + p);
    }

    /** The per-row path: top-k by selection, then top-p with the row's own threshold. */
    private float[] perRow(NDArray logits, int k, double p) {
        Shape s = logits.getShape();
        int rows = (int) s.get(0);
        long[] desc = new long[rows];
        java.util.Arrays.fill(desc, k - 1);
        NDArray masked =
                TokenSampler.maskTopK(
                        logits, manager.create(desc, new Shape(rows, 1, 1)), k, negInf);
        if (p > 0) {
            masked =
                    TokenSampler.maskTopP(
                            masked, threshold(rows, p), manager.create(s.get(2) - 1), negInf);
        }
        return masked.toFloatArray();
    }

    private NDArray threshold(int rows, double p) {
        float[] t = new float[rows];
        java.util.Arrays.fill(t, p > 0 && p < 1 ? (float) (1 - p) : -1f);
        return manager.create(t, new Shape(rows, 1, 1));
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }
}
