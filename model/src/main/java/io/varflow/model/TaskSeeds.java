package io.varflow.model;

import java.nio.charset.StandardCharsets;

/**
 * Per-image seeds. Image {@code i} of a request with seed {@code s} always gets {@code forImage(s,
 * i)}, whatever batch it lands in and however often it is retried, so a request's images do not
 * depend on batching. The mix is SplitMix64's finalizer: adjacent indices give unrelated seeds.
 * This is the model's reproducibility contract: the seeds of published images (and evaluation sets)
 * depend on it, so it must not change.
 */
public final class TaskSeeds {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private TaskSeeds() {}

    /** The seed of image {@code index} of a request whose seed is {@code requestSeed}. */
    public static long forImage(long requestSeed, int index) {
        return mix64(requestSeed + GOLDEN_GAMMA * (index + 1L));
    }

    /** The request seed used when a request gives none: a stable function of its id. */
    public static long forRequestId(String requestId) {
        long h = 0x7A5F1A0BL;
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
            h = mix64(h ^ (b & 0xFF));
        }
        return h;
    }

    /** SplitMix64's finalizer: a bijection of 64-bit values that spreads every input bit. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
