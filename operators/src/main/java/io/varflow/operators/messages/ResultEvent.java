package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * The one event per accepted request (schema {@code schemas/result-event.schema.json}), emitted
 * when the request's last object is stored, or when generation failed.
 *
 * @param requestId the request's id
 * @param status {@code succeeded} when every image has all its requested objects stored; {@code expired}
 *     when an image missed the request's deadline; else {@code failed}
 * @param model the model that served it
 * @param images per image, by index: URIs of its stored objects
 * @param timings when and how long
 * @param error why it failed; null on success
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEvent(
        String requestId, Status status, String model, List<Image> images, Timings timings, Error error) {

    /** Outcome of a request. */
    public enum Status {
        @com.fasterxml.jackson.annotation.JsonProperty("succeeded")
        SUCCEEDED,
        @com.fasterxml.jackson.annotation.JsonProperty("failed")
        FAILED,
        /** The deadline passed or could not be met; the images that missed it were never sampled. */
        @com.fasterxml.jackson.annotation.JsonProperty("expired")
        EXPIRED
    }

    /**
     * One image of the request.
     *
     * @param imageUri {@code s3://bucket/key} of the PNG, null when not requested or failed
     * @param tokenMapUri {@code s3://bucket/key} of the token map, null when not requested or failed
     * @param error why this image failed, null on success
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Image(int index, int label, long seed, String imageUri, String tokenMapUri, String error) {}

    /**
     * Timings in epoch ms and durations in ms.
     *
     * @param receivedAt when the job read the request
     * @param completedAt when the last object was stored
     * @param totalMs completedAt - receivedAt
     * @param maxQueueWaitMs longest wait of one image for its batch
     * @param sampleMs model time attributed to the request: per image its batch's time / batch size, summed
     * @param storeMs summed over the request's images: the attempt that stored each (StoredImage.storeMs)
     */
    public record Timings(
            long receivedAt, long completedAt, long totalMs, long maxQueueWaitMs, long sampleMs, long storeMs) {}

    /** Why a request failed. */
    public record Error(ErrorCode code, String message) {}

    public ResultEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        images = List.copyOf(images);
    }
}
