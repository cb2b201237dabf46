package io.varflow.model.edit;

import io.varflow.model.vqvae.Resampling;

/**
 * Bringing a user's image to the model's square resolution: area averaging along an axis that
 * shrinks (adaptive average pooling), bicubic (A = −0.75, clamped to [0, 1]) along one that grows.
 * Images are CHW floats in [0, 1], as {@code PngImages} decodes them.
 */
public final class EditImages {

    private EditImages() {}

    /**
     * {@code chw} (3 x height x width) resized to 3 x size x size; the input itself when it already
     * fits.
     */
    public static float[] resize(float[] chw, int height, int width, int size) {
        if (chw.length != 3 * height * width) {
            throw new IllegalArgumentException(
                    "expected 3x" + height + "x" + width + " values, got " + chw.length);
        }
        if (height == size && width == size) {
            return chw.clone();
        }
        double[][] mh = axis(height, size);
        double[][] mw = axis(width, size);
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            double[][] plane = new double[height][width];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    plane[y][x] = chw[(c * height + y) * width + x];
                }
            }
            double[][] resized = Resampling.apply(mh, plane, mw);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * size + y) * size + x] =
                            (float) Math.max(0, Math.min(1, resized[y][x]));
                }
            }
        }
        return out;
    }

    private static double[][] axis(int in, int out) {
        if (in == out) {
            double[][] identity = new double[out][in];
            for (int i = 0; i < out; i++) {
                identity[i][i] = 1;
            }
            return identity;
        }
        return in > out ? Resampling.area(in, out) : Resampling.bicubic(in, out);
    }
}
