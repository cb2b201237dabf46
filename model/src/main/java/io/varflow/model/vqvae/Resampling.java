package io.varflow.model.vqvae;

/**
 * Separable 1-D resampling matrices that reproduce {@code torch.nn.functional.interpolate} with
 * {@code align_corners=False} and no antialiasing. A 2-D resize of a (…, in, in) map is then {@code
 * out = M · X · Mᵀ} with one of these {@code out × in} matrices.
 *
 * <p>The matrices are computed in double precision on the host once per (in, out) pair; applying
 * them as two small matmuls keeps every resize on the device and free of per-pixel host work.
 */
public final class Resampling {

    /** The cubic convolution coefficient torch uses for bicubic interpolation. */
    public static final double BICUBIC_A = -0.75;

    private Resampling() {}

    /**
     * Bicubic interpolation ({@code mode='bicubic'}): source coordinate {@code (d+0.5)·in/out −
     * 0.5} (not clamped), four taps at {@code floor(src)−1 … floor(src)+2} with indices clamped to
     * the border, so border taps accumulate.
     */
    public static double[][] bicubic(int in, int out) {
        checkSizes(in, out);
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double src = (d + 0.5) * scale - 0.5;
            double floor = Math.floor(src);
            int x0 = (int) floor;
            double t = src - floor;
            double[] w = {cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
            for (int k = 0; k < 4; k++) {
                int index = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
                m[d][index] += w[k];
            }
        }
        return m;
    }

    /**
     * Area interpolation ({@code mode='area'}), i.e. adaptive average pooling: output {@code i}
     * averages inputs {@code [floor(i·in/out), ceil((i+1)·in/out))}. Windows overlap when {@code
     * out} does not divide {@code in}.
     */
    public static double[][] area(int in, int out) {
        checkSizes(in, out);
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * in, out);
            int end = -Math.floorDiv(-(i + 1) * in, out); // ceil((i+1)·in/out) in exact integers
            double weight = 1.0 / (end - start);
            for (int j = start; j < end; j++) {
                m[i][j] = weight;
            }
        }
        return m;
    }

    /**
     * Bilinear interpolation ({@code mode='bilinear'}): source coordinate {@code max(0,
     * (i+0.5)·in/out − 0.5)} between its two neighbours, the upper one clamped to the border. Used
     * to resample edit masks.
     */
    public static double[][] bilinear(int in, int out) {
        checkSizes(in, out);
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0.0, (i + 0.5) * scale - 0.5);
            int x0 = (int) Math.floor(src);
            if (x0 > in - 1) {
                x0 = in - 1;
            }
            int x1 = Math.min(x0 + 1, in - 1);
            double lambda = src - x0;
            m[i][x0] += 1.0 - lambda;
            m[i][x1] += lambda;
        }
        return m;
    }

    /** Applies a separable resampling on the host: {@code out = mh · x · mwᵀ} for one 2-D map. */
    public static double[][] apply(double[][] mh, double[][] x, double[][] mw) {
        int rows = mh.length;
        int cols = mw.length;
        int inRows = x.length;
        int inCols = x[0].length;
        double[][] tmp = new double[rows][inCols];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inRows; i++) {
                double w = mh[r][i];
                if (w != 0) {
                    for (int c = 0; c < inCols; c++) {
                        tmp[r][c] += w * x[i][c];
                    }
                }
            }
        }
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double sum = 0;
                for (int j = 0; j < inCols; j++) {
                    sum += tmp[r][j] * mw[c][j];
                }
                out[r][c] = sum;
            }
        }
        return out;
    }

    // cc1 of torch's upsample_bicubic2d: weight of the two inner taps, |x| <= 1.
    private static double cubicNear(double x) {
        return ((BICUBIC_A + 2) * x - (BICUBIC_A + 3)) * x * x + 1;
    }

    // cc2: weight of the two outer taps, 1 < |x| < 2.
    private static double cubicFar(double x) {
        return ((BICUBIC_A * x - 5 * BICUBIC_A) * x + 8 * BICUBIC_A) * x - 4 * BICUBIC_A;
    }

    private static void checkSizes(int in, int out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(
                    "resampling sizes must be positive: " + in + " -> " + out);
        }
    }
}
