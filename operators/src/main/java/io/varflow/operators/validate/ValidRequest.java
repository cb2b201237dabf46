package io.varflow.operators.validate;

import io.varflow.model.SamplingParams;
import io.varflow.operators.messages.Priority;
import java.util.Arrays;
import java.util.Objects;

/**
 * A request that passed validation, with every default resolved: the stream element between the
 * validator and the expander. A Flink POJO (public record of basic types, an int array, an enum and
 * the model's {@code SamplingParams} record), so it is serialized without Kryo.
 *
 * @param requestId the safe request id
 * @param model the model that serves it (the job's default when the request named none)
 * @param labels one label per image, in output order
 * @param seed the request seed
 * @param sampling how every image of it is sampled
 * @param priority interactive or bulk
 * @param storeImages whether to store PNGs
 * @param storeTokenMaps whether to store token maps
 * @param outputPrefix safe prefix below the job's base prefix, or "" for none
 * @param receivedAt epoch ms when the validator accepted it
 * @param source Kafka coordinates, e.g. {@code requests/0@17}
 * @param deadline epoch ms by which its images must reach the model, {@link RequestDeadline#NONE}
 *     for none
 */
public record ValidRequest(
        String requestId,
        String model,
        int[] labels,
        long seed,
        SamplingParams sampling,
        Priority priority,
        boolean storeImages,
        boolean storeTokenMaps,
        String outputPrefix,
        long receivedAt,
        String source,
        long deadline) {

    /** A request without a deadline. */
    public ValidRequest(
            String requestId,
            String model,
            int[] labels,
            long seed,
            SamplingParams sampling,
            Priority priority,
            boolean storeImages,
            boolean storeTokenMaps,
            String outputPrefix,
            long receivedAt,
            String source) {
        this(
                requestId,
                model,
                labels,
                seed,
                sampling,
                priority,
                storeImages,
                storeTokenMaps,
                outputPrefix,
                receivedAt,
                source,
                RequestDeadline.NONE);
    }

    public int count() {
        return labels.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValidRequest r
                && requestId.equals(r.requestId)
                && model.equals(r.model)
                && Arrays.equals(labels, r.labels)
                && seed == r.seed
                && sampling.equals(r.sampling)
                && priority == r.priority
                && storeImages == r.storeImages
                && storeTokenMaps == r.storeTokenMaps
                && outputPrefix.equals(r.outputPrefix)
                && receivedAt == r.receivedAt
                && Objects.equals(source, r.source)
                && deadline == r.deadline;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                requestId,
                model,
                Arrays.hashCode(labels),
                seed,
                sampling,
                priority,
                storeImages,
                storeTokenMaps,
                outputPrefix,
                receivedAt,
                source,
                deadline);
    }

    @Override
    public String toString() {
        return "ValidRequest["
                + requestId
                + ", "
                + model
                + ", "
                + labels.length
                + " images, seed "
                + seed
                + ", "
                + priority
                + "]";
    }
}
