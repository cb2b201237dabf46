package io.varflow.model.vqvae;

import java.util.Arrays;

/**
 * Edit masks at each scale, as the official zero-shot editing ({@code replace_embedding}) makes
 * them: the last-scale mask (1 = keep the ground-truth token) is resized to {@code pn×pn} with
 * bilinear interpolation ({@code align_corners=False}) and thresholded at {@code > 0.5}; maps of at
 * most three tokens (the 1×1 scale) keep everything.
 *
 * <p>Computed on the host in float32 with torch's index, weight and summation order, so that values
 * falling exactly on the 0.5 threshold are decided as torch decides them.
 */
public final class EditMasks {

    private EditMasks() {}

    /**
     * The keep mask at side {@code side} of a mask of any size (rows of equal length, values in [0,
     * 1]).
     */
    public static boolean[][] resample(float[][] mask, int side) {
        if (mask.length == 0 || mask[0].length == 0 || side <= 0) {
            throw new IllegalArgumentException("empty mask or side " + side);
        }
        boolean[][] keep = new boolean[side][side];
        if (side * side <= 3) {
            for (boolean[] row : keep) {
                Arrays.fill(row, true);
            }
            return keep;
        }
        Linear rows = new Linear(mask.length, side);
        Linear cols = new Linear(mask[0].length, side);
        for (int i = 0; i < side; i++) {
            float[] top = mask[rows.index0[i]];
            float[] bottom = mask[rows.index1[i]];
            for (int j = 0; j < side; j++) {
                float upper =
                        top[cols.index0[j]] * cols.lambda0[j]
                                + top[cols.index1[j]] * cols.lambda1[j];
                float lower =
                        bottom[cols.index0[j]] * cols.lambda0[j]
                                + bottom[cols.index1[j]] * cols.lambda1[j];
                float value = upper * rows.lambda0[i] + lower * rows.lambda1[i];
                keep[i][j] = value > 0.5f;
            }
        }
        return keep;
    }

    // torch's compute_indices_weights_linear for one axis, in float.
    private static final class Linear {
        final int[] index0;
        final int[] index1;
        final float[] lambda0;
        final float[] lambda1;

        Linear(int in, int out) {
            index0 = new int[out];
            index1 = new int[out];
            lambda0 = new float[out];
            lambda1 = new float[out];
            float scale = (float) in / out;
            for (int d = 0; d < out; d++) {
                float src = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
                int i0 = Math.min((int) Math.floor(src), in - 1);
                float l1 = Math.min(Math.max(src - i0, 0f), 1f);
                index0[d] = i0;
                index1[d] = Math.min(i0 + 1, in - 1);
                lambda1[d] = l1;
                lambda0[d] = 1f - l1;
            }
        }
    }
}
