package io.varflow.operators.sample;

import io.varflow.operators.batch.ImageWork;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the sampler made of one image, still unencoded: 8-bit pixels and the tokens of every scale,
 * or why generation failed. The store step encodes them (PNG, token-map file) off the sampling
 * thread, so the GPU can start its next batch meanwhile. A Flink POJO (the async store operator
 * checkpoints in-flight artifacts).
 *
 * @param work the image task
 * @param rgb interleaved 8-bit RGB, {@code size * size * 3} bytes; null when the request did not
 *     ask for images or generation failed
 * @param size image height and width
 * @param tokensPerScale token indices per scale, row major; null when token maps were not asked for
 *     or failed (the scales' sides are the model's, in the catalog)
 * @param queueWaitMs time from expansion to batch flush
 * @param sampleMs time to run the whole batch (shared by its images)
 * @param batchSize images in the batch
 * @param error null on success, else why generation failed
 */
public record GeneratedArtifact(
        ImageWork work,
        byte[] rgb,
        int size,
        int[][] tokensPerScale,
        long queueWaitMs,
        long sampleMs,
        int batchSize,
        String error) {

    /** A failed image: no pixels, no tokens. */
    public static GeneratedArtifact failed(
            ImageWork work, long queueWaitMs, long sampleMs, int batchSize, String error) {
        return new GeneratedArtifact(
                work,
                null,
                0,
                null,
                queueWaitMs,
                sampleMs,
                batchSize,
                Objects.requireNonNull(error));
    }

    public boolean failed() {
        return error != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedArtifact a
                && work.equals(a.work)
                && Arrays.equals(rgb, a.rgb)
                && size == a.size
                && Arrays.deepEquals(tokensPerScale, a.tokensPerScale)
                && queueWaitMs == a.queueWaitMs
                && sampleMs == a.sampleMs
                && batchSize == a.batchSize
                && Objects.equals(error, a.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                work,
                Arrays.hashCode(rgb),
                size,
                Arrays.deepHashCode(tokensPerScale),
                queueWaitMs,
                sampleMs,
                batchSize,
                error);
    }

    @Override
    public String toString() {
        return "GeneratedArtifact[" + work + (error == null ? "" : ", error " + error) + "]";
    }
}
