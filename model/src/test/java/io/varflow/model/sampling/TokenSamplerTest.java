package io.varflow.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Top-k / top-p masks and the inverse-CDF draw against a plain-Java reference of the official
 * helpers.
 */
class TokenSamplerTest {

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
    void topKKeepsTiesAndUsesEachRowsOwnK() {
        float[][] rows = {{1, 3, 3, 2, 0}, {1, 3, 3, 2, 0}, {1, 3, 3, 2, 0}, {5, 4, 3, 2, 1}};
        int[] k = {2, 3, 0, 1};
        boolean[][] kept = keptAfterTopK(rows, k);
        assertThat(kept[0]).containsExactly(false, true, true, false, false); // k=2: two 3s
        assertThat(kept[1]).containsExactly(false, true, true, true, false); // k=3: 3, 3, 2
        assertThat(kept[2]).containsExactly(true, true, true, true, true); // k=0: disabled
        assertThat(kept[3]).containsExactly(true, false, false, false, false);
        // k=1 on a tie keeps both maxima, as the official topk().amin() threshold does
        assertThat(keptAfterTopK(new float[][] {{2, 7, 7, 1}}, new int[] {1})[0])
                .containsExactly(false, true, true, false);
    }

    @Test
    void topKMatchesReferenceOnRandomRows() {
        Random random = new Random(7);
        int v = 50;
        float[][] rows = new float[6][v];
        int[] k = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            for (int j = 0; j < v; j++) {
                rows[r][j] = (float) random.nextGaussian() * 3;
            }
            k[r] = r == 0 ? 0 : 1 + random.nextInt(v + 5); // includes k > V (clamped)
        }
        boolean[][] kept = keptAfterTopK(rows, k);
        for (int r = 0; r < rows.length; r++) {
            assertThat(kept[r])
                    .as("row %d k=%d", r, k[r])
                    .containsExactly(referenceTopK(rows[r], k[r]));
        }
    }

    @Test
    void topPMatchesOfficialSemanticsWithPerRowP() {
        Random random = new Random(11);
        int v = 40;
        double[] p = {0.0, 0.5, 0.9, 0.96, 0.3, 1.0, 0.05};
        float[][] rows = new float[p.length][v];
        for (int r = 0; r < rows.length; r++) {
            for (int j = 0; j < v; j++) {
                rows[r][j] = (float) random.nextGaussian() * 2;
            }
        }
        boolean[][] kept = keptAfterTopP(rows, p);
        for (int r = 0; r < rows.length; r++) {
            assertThat(kept[r])
                    .as("row %d p=%s", r, p[r])
                    .containsExactly(referenceTopP(rows[r], p[r]));
        }
        // a tiny p keeps only the largest entry; p = 0 and p = 1 keep everything
        assertThat(count(kept[6])).isEqualTo(1);
        assertThat(count(kept[0])).isEqualTo(v);
        assertThat(count(kept[5])).isEqualTo(v);
    }

    @Test
    void topPOnHandMadeLogits() {
        // probabilities 0.1, 0.2, 0.3, 0.4 (ascending cumsum 0.1, 0.3, 0.6, 1.0)
        float[] row = {
            (float) Math.log(0.1),
            (float) Math.log(0.2),
            (float) Math.log(0.3),
            (float) Math.log(0.4)
        };
        boolean[][] kept =
                keptAfterTopP(new float[][] {row, row, row}, new double[] {0.65, 0.35, 0.95});
        assertThat(kept[0])
                .containsExactly(false, false, true, true); // remove cumsum <= 0.35: 0.1, 0.3
        assertThat(kept[1])
                .containsExactly(false, false, false, true); // remove cumsum <= 0.65: 0.1, 0.3, 0.6
        assertThat(kept[2]).containsExactly(true, true, true, true); // 1 - 0.95 = 0.05 < 0.1
    }

    @Test
    void inverseCdfDrawsTheTokenWhoseIntervalHoldsU() {
        // probabilities 0.25, 0 (masked), 0.5, 0.25 -> cdf 0.25, 0.25, 0.75, 1.0
        float[] row = {
            (float) Math.log(0.25),
            Float.NEGATIVE_INFINITY,
            (float) Math.log(0.5),
            (float) Math.log(0.25)
        };
        float[] u = {0f, 0.2f, 0.26f, 0.74f, 0.76f, Math.nextDown(1f)};
        float[] logits = new float[u.length * row.length];
        for (int i = 0; i < u.length; i++) {
            System.arraycopy(row, 0, logits, i * row.length, row.length);
        }
        NDArray l = manager.create(logits, new Shape(1, u.length, row.length));
        NDArray uniforms = manager.create(u, new Shape(1, u.length));
        long[] tokens = TokenSampler.drawInverseCdf(l, uniforms).toLongArray();
        assertThat(tokens).containsExactly(0, 0, 2, 2, 3, 3);
    }

    @Test
    void inverseCdfFrequenciesFollowTheDistribution() {
        float[] probs = {0.1f, 0.6f, 0.3f};
        int n = 20000;
        Random random = new Random(3);
        float[] logits = new float[n * 3];
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                logits[i * 3 + j] = (float) Math.log(probs[j]);
            }
            u[i] = random.nextFloat();
        }
        long[] tokens =
                TokenSampler.drawInverseCdf(
                                manager.create(logits, new Shape(1, n, 3)),
                                manager.create(u, new Shape(1, n)))
                        .toLongArray();
        for (int j = 0; j < 3; j++) {
            final long token = j;
            double freq = Arrays.stream(tokens).filter(t -> t == token).count() / (double) n;
            assertThat(freq)
                    .as("token %d", j)
                    .isCloseTo(probs[j], org.assertj.core.data.Offset.offset(0.02));
        }
    }

    @Test
    void inverseCdfDrawEqualsTheCountingFormula() {
        // The draw as first written: min(#{cdf <= u * total}, argmax(cdf)), on masked rows, on
        // uniforms at the top of [0, 1), and on u = 1 (outside the range, so u * total is the
        // total: the guard that returns the last token with mass).
        Random random = new Random(23);
        int rows = 5;
        int l = 40;
        int v = 300;
        float[] values = new float[rows * l * v];
        for (int i = 0; i < values.length; i++) {
            values[i] =
                    random.nextInt(4) == 0
                            ? Float.NEGATIVE_INFINITY
                            : (float) random.nextGaussian() * (1 + i % 7);
        }
        float[] u = new float[rows * l];
        for (int i = 0; i < u.length; i++) {
            u[i] = i % 4 == 0 ? 1f : i % 4 == 1 ? 1f - (i % 5 + 1) * 0x1p-24f : random.nextFloat();
        }
        NDArray logits = manager.create(values, new Shape(rows, l, v));
        NDArray uniforms = manager.create(u, new Shape(rows, l));
        NDArray cdf = logits.softmax(-1).cumSum(-1);
        NDArray target = uniforms.expandDims(2).mul(cdf.get(":, :, {}:", v - 1));
        long[] counted = cdf.lte(target).sum(new int[] {-1}).minimum(cdf.argMax(-1)).toLongArray();
        BitExact.assertSame(
                TokenSampler.drawInverseCdf(logits, uniforms).toLongArray(), counted, "tokens");
    }

    @Test
    void partialTopKSelectionMasksExactlyAsTheFullSort() {
        // Rounded random logits, so that rows hold many ties around their k-th largest.
        Random random = new Random(11);
        int rows = 6;
        int v = 300;
        float[] values = new float[rows * v];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.round(random.nextGaussian() * 8) / 4f;
        }
        int[] k = {1, 7, 40, 150, 299, 120};
        long[] asc = new long[rows];
        long[] desc = new long[rows];
        for (int r = 0; r < rows; r++) {
            asc[r] = v - k[r];
            desc[r] = k[r] - 1;
        }
        NDArray logits = manager.create(values, new Shape(rows, 1, v));
        float[] bySort =
                TokenSampler.maskTopK(logits, manager.create(asc, new Shape(rows, 1, 1)), negInf)
                        .toFloatArray();
        float[] bySelection =
                TokenSampler.maskTopK(
                                logits, manager.create(desc, new Shape(rows, 1, 1)), 299, negInf)
                        .toFloatArray();
        assertThat(bySelection).containsExactly(bySort);
    }

    private boolean[][] keptAfterTopK(float[][] rows, int[] k) {
        int v = rows[0].length;
        long[] asc = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            int kk = k[r] <= 0 ? v : Math.min(k[r], v);
            asc[r] = v - kk;
        }
        NDArray logits = manager.create(flatten(rows), new Shape(rows.length, 1, v));
        NDArray masked =
                TokenSampler.maskTopK(
                        logits, manager.create(asc, new Shape(rows.length, 1, 1)), negInf);
        return finite(masked.toFloatArray(), rows.length, v);
    }

    private boolean[][] keptAfterTopP(float[][] rows, double[] p) {
        int v = rows[0].length;
        float[] thr = new float[rows.length];
        for (int r = 0; r < rows.length; r++) {
            thr[r] = p[r] > 0 && p[r] < 1 ? (float) (1 - p[r]) : -1f;
        }
        NDArray logits = manager.create(flatten(rows), new Shape(rows.length, 1, v));
        NDArray masked =
                TokenSampler.maskTopP(
                        logits,
                        manager.create(thr, new Shape(rows.length, 1, 1)),
                        manager.create((long) v - 1),
                        negInf);
        return finite(masked.toFloatArray(), rows.length, v);
    }

    /** Official top-k: keep logits >= the minimum of the k largest. */
    private static boolean[] referenceTopK(float[] row, int k) {
        boolean[] keep = new boolean[row.length];
        if (k <= 0) {
            Arrays.fill(keep, true);
            return keep;
        }
        float[] sorted = row.clone();
        Arrays.sort(sorted);
        float kth = sorted[row.length - Math.min(k, row.length)];
        for (int j = 0; j < row.length; j++) {
            keep[j] = row[j] >= kth;
        }
        return keep;
    }

    /** Official top-p: ascending sort, cumsum of softmax, drop cumsum <= 1 - p except the last. */
    private static boolean[] referenceTopP(float[] row, double p) {
        boolean[] keep = new boolean[row.length];
        Arrays.fill(keep, true);
        if (!(p > 0)) {
            return keep;
        }
        Integer[] order = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(j -> row[j]));
        double max = Arrays.stream(order).mapToDouble(j -> row[j]).max().orElseThrow();
        double sum = 0;
        for (float x : row) {
            sum += Math.exp(x - max);
        }
        double cum = 0;
        for (int i = 0; i < order.length; i++) {
            cum += Math.exp(row[order[i]] - max) / sum;
            if (cum <= 1 - p && i < order.length - 1) {
                keep[order[i]] = false;
            }
        }
        return keep;
    }

    private static float[] flatten(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[0].length);
        }
        return flat;
    }

    private static boolean[][] finite(float[] values, int rows, int v) {
        boolean[][] out = new boolean[rows][v];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < v; j++) {
                out[r][j] = values[r * v + j] != Float.NEGATIVE_INFINITY;
            }
        }
        return out;
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
