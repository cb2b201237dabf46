package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ResamplingTest {

    private static final int[] OFFICIAL = {1, 2, 3, 4, 5, 6, 8, 10, 13, 16};

    @Test
    void everyRowIsAPartitionOfUnity() {
        for (int pn : OFFICIAL) {
            for (double[][] m :
                    new double[][][] {
                        Resampling.bicubic(pn, 16),
                        Resampling.area(16, pn),
                        Resampling.bilinear(16, pn)
                    }) {
                for (double[] row : m) {
                    double sum = 0;
                    for (double w : row) {
                        sum += w;
                    }
                    assertThat(sum).isCloseTo(1.0, within(1e-12));
                }
            }
        }
    }

    @Test
    void areaOfAConstantIsConstant() {
        double[][] x = constant(16, 16, 2.5);
        for (int pn : OFFICIAL) {
            double[][] y = Resampling.apply(Resampling.area(16, pn), x, Resampling.area(16, pn));
            assertThat(y.length).isEqualTo(pn);
            for (double[] row : y) {
                for (double v : row) {
                    assertThat(v).isCloseTo(2.5, within(1e-12));
                }
            }
        }
    }

    @Test
    void bicubicUpsamplingOfOnePixelIsConstant() {
        double[][] y =
                Resampling.apply(
                        Resampling.bicubic(1, 16),
                        constant(1, 1, -0.75),
                        Resampling.bicubic(1, 16));
        assertThat(y).hasDimensions(16, 16);
        for (double[] row : y) {
            for (double v : row) {
                assertThat(v).isCloseTo(-0.75, within(1e-12));
            }
        }
    }

    @Test
    void areaWindowsFrom16To13OverlapAsAdaptivePooling() {
        double[][] m = Resampling.area(16, 13);
        // Output 0 averages [floor(0), ceil(16/13)) = [0, 2); output 1 averages [1, 3): input 1 is
        // shared.
        assertThat(m[0][0]).isEqualTo(0.5);
        assertThat(m[0][1]).isEqualTo(0.5);
        assertThat(m[1][1]).isEqualTo(0.5);
        assertThat(m[1][2]).isEqualTo(0.5);
        assertThat(m[0][2]).isZero();
        // Output 12 averages [floor(192/13), 16) = [14, 16).
        assertThat(m[12][14]).isEqualTo(0.5);
        assertThat(m[12][15]).isEqualTo(0.5);
        int overlapping = 0;
        for (int j = 0; j < 16; j++) {
            int users = 0;
            for (int i = 0; i < 13; i++) {
                users += m[i][j] > 0 ? 1 : 0;
            }
            assertThat(users).isBetween(1, 2);
            overlapping += users == 2 ? 1 : 0;
        }
        assertThat(overlapping).isPositive();
    }

    @Test
    void areaDownsamplingByAnIntegerFactorAveragesBlocks() {
        double[][] m = Resampling.area(16, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 16; j++) {
                assertThat(m[i][j]).isEqualTo(j / 4 == i ? 0.25 : 0.0);
            }
        }
    }

    @Test
    void bicubicMatchesTorchWeightsForTwoToFour() {
        // src = (d + 0.5) / 2 - 0.5 = -0.25 for d = 0: taps -2..1 clamped, t = 0.75.
        double[][] m = Resampling.bicubic(2, 4);
        double a = -0.75;
        double t = 0.75;
        double far1 = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
        double near1 = ((a + 2) * t - (a + 3)) * t * t + 1;
        double near2 = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
        double far2 = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
        assertThat(m[0][0]).isCloseTo(far1 + near1 + near2, within(1e-15));
        assertThat(m[0][1]).isCloseTo(far2, within(1e-15));
        // Mirror symmetry of align_corners=False resampling.
        for (int d = 0; d < 4; d++) {
            for (int i = 0; i < 2; i++) {
                assertThat(m[d][i]).isCloseTo(m[3 - d][1 - i], within(1e-15));
            }
        }
    }

    @Test
    void bicubicAtEqualSizeIsTheIdentity() {
        double[][] m = Resampling.bicubic(5, 5);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(m[i][j]).isCloseTo(i == j ? 1.0 : 0.0, within(1e-15));
            }
        }
    }

    @Test
    void bilinearMaskResamplingClampsTheSourceAtZero() {
        double[][] m = Resampling.bilinear(16, 5);
        // src(0) = max(0, 0.5 * 3.2 - 0.5) = 1.1: weights 0.9 on 1 and 0.1 on 2.
        assertThat(m[0][1]).isCloseTo(0.9, within(1e-12));
        assertThat(m[0][2]).isCloseTo(0.1, within(1e-12));
        double[][] up = Resampling.bilinear(2, 8);
        // src(0) = max(0, 0.125 - 0.5) = 0: all weight on input 0; the last output clamps to input
        // 1.
        assertThat(up[0][0]).isEqualTo(1.0);
        assertThat(up[7][1]).isEqualTo(1.0);
    }

    private static double[][] constant(int rows, int cols, double value) {
        double[][] x = new double[rows][cols];
        for (double[] row : x) {
            java.util.Arrays.fill(row, value);
        }
        return x;
    }
}
