package io.varflow.operators.eval;

/**
 * Per-image seeds of an evaluation set, derived from (seed base, class, index) alone so that any
 * image can be regenerated on its own, in any batch, after any restart:
 *
 * <pre>
 *   seed = mix64(mix64(mix64(seedBase) ^ class) ^ index) &gt;&gt;&gt; 1
 * </pre>
 *
 * where {@code mix64} is the SplitMix64 finaliser ({@code z ^= z >>> 30; z *= 0xbf58476d1ce4e5b9;
 * z ^= z >>> 27; z *= 0x94d049bb133111eb; z ^= z >>> 31}) and the shift keeps seeds non-negative.
 * Changing the formula changes every published set: it is part of the manifest's meaning.
 */
public final class EvalSeeds {

    /** The formula in words, written into manifests. */
    public static final String DERIVATION = "mix64(mix64(mix64(seedBase) ^ class) ^ index) >>> 1, mix64 = SplitMix64 finaliser";

    private EvalSeeds() {}

    public static long seed(long seedBase, int classLabel, int index) {
        return mix64(mix64(mix64(seedBase) ^ classLabel) ^ index) >>> 1;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
