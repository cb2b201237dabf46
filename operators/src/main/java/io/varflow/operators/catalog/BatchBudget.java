package io.varflow.operators.catalog;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.RuntimeOptions.Precision;
import io.varflow.model.config.MemoryEstimate;
import io.varflow.model.config.ModelConfig;
import java.lang.management.MemoryUsage;
import java.util.Locale;

/**
 * How many images of a model fit in one batch on the device the sampler runs on, from {@link
 * MemoryEstimate} (calibrated against measured peaks, see docs/performance.md):
 *
 * <pre>
 * maxBatch = min(cap, floor((budget - weights) / perImage))
 * budget   = GPU: free device memory (CUDA) less {@value #GPU_MARGIN_PERCENT} %;  CPU: the host budget
 * cap      = {@value #GPU_CAP} on a GPU (the official code's best throughput lies at 64-256),
 *            {@value #CPU_CAP} on the CPU (larger batches add latency, not throughput)
 * </pre>
 *
 * (terms and constants in {@link MemoryEstimate}'s javadoc and docs/architecture.md).
 */
public final class BatchBudget {

    /** Default host memory a CPU sampler may use for one model (weights plus batch): 8 GiB. */
    public static final String DEFAULT_HOST_BUDGET = "8g";

    static final int GPU_MARGIN_PERCENT = 10;
    static final int GPU_CAP = 256;
    static final int CPU_CAP = 64;

    private BatchBudget() {}

    /** A batch limit and, for the logs, how it was chosen. */
    public record Choice(int maxBatch, String reason) {}

    /**
     * The batch limit of {@code config} in {@code precision} under {@code budgetBytes}, at most
     * {@code cap}.
     *
     * @throws IllegalArgumentException when the budget does not even hold the weights plus one
     *     image
     */
    public static int maxBatch(ModelConfig config, Precision precision, long budgetBytes, int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("batch cap must be at least 1, got " + cap);
        }
        int fit = MemoryEstimate.maxBatch(config, precision, budgetBytes);
        if (fit < 1) {
            long needed =
                    MemoryEstimate.weightBytes(config, precision)
                            + MemoryEstimate.bytesPerImage(config, precision);
            throw new IllegalArgumentException(
                    "model "
                            + config.name()
                            + " needs at least "
                            + mib(needed)
                            + " MiB for one image (weights "
                            + mib(MemoryEstimate.weightBytes(config, precision))
                            + " MiB) but the memory budget is "
                            + mib(budgetBytes)
                            + " MiB; raise the budget");
        }
        return Math.min(cap, fit);
    }

    /**
     * The largest batch that fits the memory of the device {@code options} names: on a GPU its free
     * memory as CUDA reports it now, less a margin; on the CPU {@code hostBudgetBytes}.
     *
     * @throws IllegalArgumentException when not even one image fits
     * @throws IllegalStateException when the GPU's memory cannot be read
     */
    public static Choice auto(ModelConfig config, RuntimeOptions options, long hostBudgetBytes) {
        Precision precision = options.precision();
        long perImage = MemoryEstimate.bytesPerImage(config, precision);
        long weights = MemoryEstimate.weightBytes(config, precision);
        if (options.device() == RuntimeOptions.Device.GPU) {
            long free = freeGpuBytes();
            long budget = free / 100 * (100 - GPU_MARGIN_PERCENT);
            int batch = maxBatch(config, precision, budget, GPU_CAP);
            return new Choice(
                    batch,
                    String.format(
                            Locale.ROOT,
                            "auto: %d MiB free on %s less %d %% margin, weights %d MiB, %d MiB per image (MemoryEstimate),"
                                    + " cap %d",
                            mib(free),
                            Device.gpu(),
                            GPU_MARGIN_PERCENT,
                            mib(weights),
                            mib(perImage),
                            GPU_CAP));
        }
        int batch = maxBatch(config, precision, hostBudgetBytes, CPU_CAP);
        return new Choice(
                batch,
                String.format(
                        Locale.ROOT,
                        "auto: host budget %d MiB, weights %d MiB, %d MiB per image (MemoryEstimate), cap %d",
                        mib(hostBudgetBytes),
                        mib(weights),
                        mib(perImage),
                        CPU_CAP));
    }

    /**
     * A memory size: bytes, or a number with k, m, g or t (binary units, case-insensitive, an
     * optional trailing b or ib), e.g. {@code 8g}, {@code 512MiB}.
     *
     * @throws IllegalArgumentException naming {@code key} for anything else
     */
    public static long parseBytes(String key, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        t =
                t.endsWith("ib")
                        ? t.substring(0, t.length() - 2)
                        : t.endsWith("b") ? t.substring(0, t.length() - 1) : t;
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1).trim();
        try {
            long value = Long.parseLong(digits);
            if (value > 0 && value <= (Long.MAX_VALUE >> shift)) {
                return value << shift;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                key + " must be a positive size such as 8g or 512m, got '" + text + "'");
    }

    private static long freeGpuBytes() {
        try {
            MemoryUsage usage = CudaUtils.getGpuMemory(Device.gpu());
            return usage.getMax() - usage.getUsed();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(
                    "cannot read the free GPU memory for batch.max-images=auto ("
                            + e.getMessage()
                            + "); set batch.max-images to a number",
                    e);
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
