package io.varflow.operators.catalog;

import io.varflow.model.config.ModelConfig;

/**
 * How many images of a model fit in one batch on one GPU. Placeholder until
 * {@code io.varflow.model.config.MemoryEstimate} (ckpt helper) is merged; then this delegates to it.
 */
public final class BatchBudget {

    private BatchBudget() {}

    /** Largest batch that fits {@code budgetBytes}, capped at {@code cap} and at least 1. */
    public static int maxBatch(ModelConfig config, long budgetBytes, int cap) {
        long weights = 4L * config.depth() * 12L * config.embedDim() * config.embedDim();
        long perImage = 2L * 2L * config.depth() * config.totalTokens() * config.embedDim() * 4L * 2L;
        long fit = (budgetBytes - weights) / Math.max(1, perImage);
        return (int) Math.max(1, Math.min(cap, fit));
    }
}
