package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EditMasksTest {

    private static final int[] OFFICIAL = {1, 2, 3, 4, 5, 6, 8, 10, 13, 16};

    @Test
    void theOneByOneScaleKeepsEverything() {
        boolean[][] keep = EditMasks.resample(new float[16][16], 1);
        assertThat(keep[0][0]).isTrue();
        assertThat(EditMasks.resample(new float[16][16], 2)[1][1]).isFalse();
    }

    @Test
    void fullSizeIsTheMaskItself() {
        float[][] mask = box(16, 3, 11, 5, 9);
        boolean[][] keep = EditMasks.resample(mask, 16);
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                assertThat(keep[i][j]).isEqualTo(mask[i][j] == 1f);
            }
        }
    }

    @Test
    void agreesWithTheDoubleBilinearMatricesAwayFromTheThreshold() {
        float[][] mask = box(16, 4, 12, 2, 10);
        double[][] asDouble = new double[16][16];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                asDouble[i][j] = mask[i][j];
            }
        }
        int decided = 0;
        for (int pn : OFFICIAL) {
            if (pn == 1) {
                continue;
            }
            double[][] m = Resampling.bilinear(16, pn);
            double[][] values = Resampling.apply(m, asDouble, m);
            boolean[][] keep = EditMasks.resample(mask, pn);
            for (int i = 0; i < pn; i++) {
                for (int j = 0; j < pn; j++) {
                    if (Math.abs(values[i][j] - 0.5) > 1e-6) {
                        assertThat(keep[i][j])
                                .as("pn %d at %d,%d", pn, i, j)
                                .isEqualTo(values[i][j] > 0.5);
                        decided++;
                    }
                }
            }
        }
        assertThat(decided).isGreaterThan(300);
    }

    @Test
    void exactHalvesAreNotKept() {
        // 16 -> 8: every output averages two inputs; a single kept column gives exactly 0.5.
        float[][] mask = new float[16][16];
        for (float[] row : mask) {
            row[0] = 1f;
        }
        boolean[][] keep = EditMasks.resample(mask, 8);
        for (boolean[] row : keep) {
            assertThat(row[0]).isFalse();
        }
    }

    private static float[][] box(int size, int y0, int y1, int x0, int x1) {
        float[][] mask = new float[size][size];
        for (int i = y0; i < y1; i++) {
            for (int j = x0; j < x1; j++) {
                mask[i][j] = 1f;
            }
        }
        return mask;
    }
}
