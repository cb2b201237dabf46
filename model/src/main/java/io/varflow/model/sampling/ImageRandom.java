package io.varflow.model.sampling;

import java.util.SplittableRandom;

/**
 * The random stream of one image, derived from its task seed alone, so that an image's tokens do
 * not depend on its batch mates, its slot in the batch or the batch size, and the same seed gives
 * the same image run after run.
 *
 * <p>Derivation: {@code root = new SplittableRandom(seed)}; the first {@code root.split()} is the
 * token stream, the second the gumbel stream. The token stream yields one uniform double per token,
 * scale after scale, tokens in row-major order within a scale (L numbers for the whole image);
 * token {@code j} of scale {@code si} uses number {@code tokenOffset(si) + j}. The gumbel stream
 * (only the "smooth" mode reads it) yields {@code pn^2 * V} uniforms per scale in the same order,
 * vocabulary index fastest, turned into gumbel noise {@code -log(-log(1 - u))}.
 */
public final class ImageRandom {

    private final SplittableRandom tokens;
    private final SplittableRandom gumbel;

    public ImageRandom(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        this.tokens = root.split();
        this.gumbel = root.split();
    }

    /** The uniforms in [0, 1) for all {@code totalTokens} tokens of the image. */
    public float[] tokenUniforms(int totalTokens) {
        float[] u = new float[totalTokens];
        for (int i = 0; i < totalTokens; i++) {
            // The largest float below 1 keeps u < 1 after rounding to float.
            u[i] = Math.min((float) tokens.nextDouble(), Math.nextDown(1f));
        }
        return u;
    }

    /** Fills {@code out[offset .. offset + count)} with the next gumbel noise values. */
    public void nextGumbel(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++) {
            double exponential = -Math.log1p(-gumbel.nextDouble()); // in [0, inf)
            out[offset + i] = (float) -Math.log(Math.max(exponential, 1e-300));
        }
    }
}
