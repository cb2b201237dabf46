package io.varflow.model;

import io.varflow.model.edit.EditSpec;

/**
 * One image to generate: its class label, the seed of its own random stream and how to sample.
 * Tasks of one batch are independent: an image's tokens depend only on its own task.
 *
 * <p>With an {@link EditSpec} the task is a zero-shot edit: tokens that the edit keeps are taken
 * from its source at every scale. An edit's label may also be {@code num_classes}, the null class
 * (the official label for in- and out-painting). Edit and generation tasks may share a batch.
 *
 * @param edit the edit, or {@code null} for plain generation
 */
public record ImageTask(int label, long seed, SamplingParams sampling, EditSpec edit) {

    /** A plain generation task. */
    public ImageTask(int label, long seed, SamplingParams sampling) {
        this(label, seed, sampling, null);
    }

    public boolean isEdit() {
        return edit != null;
    }
}
