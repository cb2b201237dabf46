package io.varflow.model.bench;

import io.varflow.model.RuntimeOptions.Precision;
import io.varflow.model.config.MemoryEstimate;
import io.varflow.model.config.ModelConfig;
import java.util.Locale;

/**
 * {@link MemoryEstimate}'s bytes per image next to the measured ones: the growth of the process's
 * peak resident memory over its resident memory with the weights loaded, less the JVM heap's own
 * regrowth, divided by the batch.
 *
 * @param measuredBatchBytes peak RSS during the batches minus RSS before them; negative if unknown
 */
public record MemoryCheck(
        ModelConfig config,
        Precision precision,
        int batch,
        long estimatedPerImage,
        long measuredBatchBytes) {

    static MemoryCheck of(
            ModelConfig config, Precision precision, int batch, long measuredBatchBytes) {
        return new MemoryCheck(
                config,
                precision,
                batch,
                MemoryEstimate.bytesPerImage(config, precision),
                measuredBatchBytes);
    }

    public double measuredPerImage() {
        return (double) measuredBatchBytes / batch;
    }

    /** Estimate over measured, per image. */
    public double ratio() {
        return estimatedPerImage / measuredPerImage();
    }

    String report() {
        if (measuredBatchBytes < 0) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "estimate    %.1f MiB per image (MemoryEstimate) vs measured %.1f MiB per image (peak RSS growth"
                        + " over the loaded model, less JVM heap growth, / %d): ratio %.2f%n",
                estimatedPerImage / 1048576.0,
                measuredPerImage() / 1048576.0,
                batch,
                ratio());
    }
}
