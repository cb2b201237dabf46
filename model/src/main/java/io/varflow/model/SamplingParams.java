package io.varflow.model;

/**
 * How one image's tokens are drawn, with the official sampler's semantics.
 *
 * @param cfg classifier-free guidance strength; the weight at scale si is {@code cfg * si / (S-1)}
 * @param topK keep the k most likely tokens; 0 disables; 1 is greedy (argmax)
 * @param topP nucleus mass to keep; 0 (or &ge; 1) disables
 * @param smooth the official "more_smooth" gumbel-softmax mode (for visualisation, not for FID)
 */
public record SamplingParams(double cfg, int topK, double topP, boolean smooth) {

    /** The README's FID setting: cfg 1.5, top-k 900, top-p 0.96. */
    public static final SamplingParams FID = new SamplingParams(1.5, 900, 0.96, false);

    public SamplingParams {
        if (!Double.isFinite(cfg) || cfg < 0) {
            throw new IllegalArgumentException("cfg must be a finite number >= 0, got " + cfg);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 disables it), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException(
                    "top-p must be in [0, 1] (0 disables it), got " + topP);
        }
    }

    /**
     * The FID setting with each field a request gives in its place; null fields keep the default.
     * Requests, edits and evaluation sets resolve their sampling fields here, so the defaults live
     * in {@link #FID} alone.
     *
     * @throws IllegalArgumentException when a given value is out of range
     */
    public static SamplingParams fidWith(Double cfg, Integer topK, Double topP, Boolean smooth) {
        return new SamplingParams(
                cfg == null ? FID.cfg : cfg,
                topK == null ? FID.topK : topK,
                topP == null ? FID.topP : topP,
                smooth != null ? smooth : FID.smooth);
    }

    public static SamplingParams greedy(double cfg) {
        return new SamplingParams(cfg, 1, 0, false);
    }

    public boolean isGreedy() {
        return topK == 1 && !smooth;
    }
}
