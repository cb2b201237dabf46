package io.varflow.operators.eval;

import io.varflow.model.TaskSeeds;

/**
 * Per-image seeds of an evaluation set, derived from (seed base, class, index) alone so that any
 * image can be regenerated on its own, in any batch, after any restart. Each class of the set is
 * one generation request whose seed is the class seed; the job then gives image {@code index} of
 * that request its usual per-image seed ({@link TaskSeeds#forImage}):
 *
 * <pre>
 *   classSeed = mix64(mix64(seedBase) ^ class)
 *   seed      = TaskSeeds.forImage(classSeed, index) = mix64(classSeed + 0x9e3779b97f4a7c15 * (index + 1))
 * </pre>
 *
 * where {@code mix64} is the SplitMix64 finaliser ({@code z ^= z >>> 30; z *= 0xbf58476d1ce4e5b9; z
 * ^= z >>> 27; z *= 0x94d049bb133111eb; z ^= z >>> 31}), all arithmetic modulo 2^64. Changing the
 * formula changes every published set: it is part of the manifest's meaning.
 */
public final class EvalSeeds {

    /** The formula in words, written into manifests. */
    public static final String DERIVATION =
            "seed = mix64(classSeed + 0x9e3779b97f4a7c15 * (index + 1)), "
                    + "classSeed = mix64(mix64(seedBase) ^ class), mix64 = SplitMix64 finaliser, arithmetic mod 2^64";

    private EvalSeeds() {}

    /** The seed of the generation request that makes one class's images. */
    public static long classSeed(long seedBase, int classLabel) {
        return TaskSeeds.mix64(TaskSeeds.mix64(seedBase) ^ classLabel);
    }

    /** The seed of image {@code index} of class {@code classLabel}. */
    public static long seed(long seedBase, int classLabel, int index) {
        return TaskSeeds.forImage(classSeed(seedBase, classLabel), index);
    }
}
