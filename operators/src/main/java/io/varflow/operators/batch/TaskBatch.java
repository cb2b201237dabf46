package io.varflow.operators.batch;

import java.util.Arrays;
import java.util.Objects;

/**
 * A batch of images of one model, sized for one GPU: the batcher's output and the sampler's input.
 *
 * @param model model name (every task of the batch uses it, so resolution is uniform)
 * @param tasks the images, interactive ones first, then by arrival
 * @param maxBatch the model's batch limit when the batch was formed (for the fill ratio)
 * @param formedAt epoch ms when the batch was flushed
 */
public record TaskBatch(String model, ImageWork[] tasks, int maxBatch, long formedAt) {

    public TaskBatch {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tasks, "tasks");
    }

    public int size() {
        return tasks.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskBatch b
                && model.equals(b.model)
                && Arrays.equals(tasks, b.tasks)
                && maxBatch == b.maxBatch
                && formedAt == b.formedAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, Arrays.hashCode(tasks), maxBatch, formedAt);
    }

    @Override
    public String toString() {
        return "TaskBatch["
                + model
                + ", "
                + tasks.length
                + "/"
                + maxBatch
                + " at "
                + formedAt
                + "]";
    }
}
