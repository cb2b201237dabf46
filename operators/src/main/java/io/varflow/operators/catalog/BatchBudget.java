package io.varflow.operators.catalog;

import io.varflow.model.RuntimeOptions.Precision;
import io.varflow.model.config.MemoryEstimate;
import io.varflow.model.config.ModelConfig;

/**
 * How many images of a model fit in one batch on one GPU, from {@link MemoryEstimate}:
 *
 * <pre>
 * maxBatch = min(cap, floor((budget - weights) / perImage))
 * perImage = max(KV cache + attention + FFN + QKV + logits, VQVAE decoder maps)
 * </pre>
 *
 * (terms and constants in {@link MemoryEstimate}'s javadoc and docs/architecture.md). The budget is
 * the device memory the job may use per GPU (configured, e.g. 80 % of the card); the cap bounds
 * latency and is also what CPU runs use.
 */
public final class BatchBudget {

    private BatchBudget() {}

    /**
     * The batch limit of {@code config} in {@code precision} under {@code budgetBytes}, at most
     * {@code cap}.
     *
     * @throws IllegalArgumentException when the budget does not even hold the weights plus one image
     */
    public static int maxBatch(ModelConfig config, Precision precision, long budgetBytes, int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("batch cap must be at least 1, got " + cap);
        }
        int fit = MemoryEstimate.maxBatch(config, precision, budgetBytes);
        if (fit < 1) {
            long needed = MemoryEstimate.weightBytes(config, precision) + MemoryEstimate.bytesPerImage(config, precision);
            throw new IllegalArgumentException("model " + config.name() + " needs at least " + mib(needed)
                    + " MiB for one image (weights " + mib(MemoryEstimate.weightBytes(config, precision))
                    + " MiB) but the GPU memory budget is " + mib(budgetBytes) + " MiB; raise the budget");
        }
        return Math.min(cap, fit);
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
