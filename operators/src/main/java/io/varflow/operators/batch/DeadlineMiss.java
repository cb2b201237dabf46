package io.varflow.operators.batch;

import io.varflow.operators.sample.GeneratedArtifact;

/**
 * An image that missed its request's deadline, told apart from model failures by its error text so
 * that it travels the ordinary failed-image path (store, results) without new fields: the result
 * aggregator turns a request with such an image into one {@code expired} ResultEvent with error
 * code {@code DEADLINE_EXCEEDED}. Such images never reach the model.
 */
public final class DeadlineMiss {

    private static final String PREFIX = "deadline exceeded: ";

    private DeadlineMiss() {}

    /** The image's deadline passed before it reached the model. */
    public static GeneratedArtifact passed(ImageWork work, long now) {
        return GeneratedArtifact.failed(
                work,
                Math.max(0, now - work.schedule().enqueuedAt()),
                0,
                0,
                PREFIX
                        + "the deadline passed "
                        + (now - work.schedule().deadline())
                        + " ms before the image reached"
                        + " the model");
    }

    /** The image cannot be done before its deadline, given the model's measured batch time. */
    public static GeneratedArtifact cannotMakeIt(ImageWork work, long now, long expectedBatchMs) {
        return GeneratedArtifact.failed(
                work,
                Math.max(0, now - work.schedule().enqueuedAt()),
                0,
                0,
                PREFIX
                        + (work.schedule().deadline() - now)
                        + " ms were left but a batch of the model takes about "
                        + expectedBatchMs
                        + " ms");
    }

    /** Whether an image error says the image missed its deadline. */
    public static boolean is(String error) {
        return error != null && error.startsWith(PREFIX);
    }
}
