package io.varflow.operators.sample;

import io.varflow.operators.batch.ImageWork;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the sampler made of one image: the encoded objects to store, or why it failed. A Flink POJO
 * (the async store operator checkpoints in-flight artifacts).
 *
 * @param work the image task
 * @param png PNG bytes, null when the request did not ask for images or generation failed
 * @param tokenMap token-map safetensors bytes, null when not asked for or failed
 * @param queueWaitMs time from expansion to batch flush
 * @param sampleMs time to run the whole batch (shared by its images)
 * @param batchSize images in the batch
 * @param error null on success, else why generation failed
 */
public record GeneratedArtifact(
        ImageWork work, byte[] png, byte[] tokenMap, long queueWaitMs, long sampleMs, int batchSize, String error) {

    public boolean failed() {
        return error != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedArtifact a && work.equals(a.work) && Arrays.equals(png, a.png)
                && Arrays.equals(tokenMap, a.tokenMap) && queueWaitMs == a.queueWaitMs && sampleMs == a.sampleMs
                && batchSize == a.batchSize && Objects.equals(error, a.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(work, Arrays.hashCode(png), Arrays.hashCode(tokenMap), queueWaitMs, sampleMs, batchSize,
                error);
    }

    @Override
    public String toString() {
        return "GeneratedArtifact[" + work + (error == null ? "" : ", error " + error) + "]";
    }
}
