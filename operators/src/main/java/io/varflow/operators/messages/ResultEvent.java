package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * The one event per accepted request (schema {@code schemas/result-event.schema.json}), emitted
 * when the request's last object is stored, or when generation failed.
 *
 * @param requestId the request's id
 * @param status {@code succeeded} when every image has all its requested objects stored; {@code
 *     expired} when an image missed the request's deadline; else {@code failed}
 * @param model the model that served it
 * @param images per image, by index: URIs of its stored objects; only the first ones when {@code
 *     imagesOmitted} is set, so that an event of a request with thousands of images stays below the
 *     producer's record limit
 * @param timings when and how long
 * @param error why it failed; null on success
 * @param imagesOmitted how many images are not listed in {@code images}; null when all are listed
 * @param objectsUri {@code s3://bucket/prefix/} under which all the request's objects are stored
 *     (keys as in {@code ObjectKeys}); set together with {@code imagesOmitted}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEvent(
        String requestId,
        Status status,
        String model,
        List<Image> images,
        Timings timings,
        Error error,
        Integer imagesOmitted,
        String objectsUri) {

    /** Outcome of a request. */
    public enum Status {
        @com.fasterxml.jackson.annotation.JsonProperty("succeeded")
        SUCCEEDED,
        @com.fasterxml.jackson.annotation.JsonProperty("failed")
        FAILED,
        /**
         * The deadline passed or could not be met; the images that missed it were never sampled.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("expired")
        EXPIRED
    }

    /**
     * One image of the request.
     *
     * @param imageUri {@code s3://bucket/key} of the PNG, null when not requested or failed
     * @param tokenMapUri {@code s3://bucket/key} of the token map, null when not requested or
     *     failed
     * @param error why this image failed, null on success
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Image(
            int index, int label, long seed, String imageUri, String tokenMapUri, String error) {}

    /**
     * Timings in epoch ms and durations in ms.
     *
     * @param receivedAt when the job read the request
     * @param completedAt when the last object was stored
     * @param totalMs completedAt - receivedAt
     * @param maxQueueWaitMs longest wait of one image for its batch
     * @param sampleMs model time attributed to the request: per image its batch's time / batch
     *     size, summed
     * @param storeMs summed over the request's images: the attempt that stored each
     *     (StoredImage.storeMs)
     */
    public record Timings(
            long receivedAt,
            long completedAt,
            long totalMs,
            long maxQueueWaitMs,
            long sampleMs,
            long storeMs) {}

    /** Why a request failed. */
    public record Error(ErrorCode code, String message) {}

    public ResultEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        images = List.copyOf(images);
    }

    /** An event listing every image. */
    public ResultEvent(
            String requestId,
            Status status,
            String model,
            List<Image> images,
            Timings timings,
            Error error) {
        this(requestId, status, model, images, timings, error, null, null);
    }

    /**
     * This event listing at most {@code maxListed} images (the first ones); the others are counted
     * in {@code imagesOmitted} and found under {@code objectsUri}, the folder of the listed
     * objects.
     */
    public ResultEvent listingAtMost(int maxListed) {
        if (images.size() <= maxListed) {
            return this;
        }
        String folder = null;
        for (Image image : images) {
            String uri = image.imageUri() != null ? image.imageUri() : image.tokenMapUri();
            if (uri != null) {
                folder = uri.substring(0, uri.lastIndexOf('/') + 1);
                break;
            }
        }
        int omitted = images.size() - maxListed + (imagesOmitted == null ? 0 : imagesOmitted);
        return new ResultEvent(
                requestId,
                status,
                model,
                images.subList(0, maxListed),
                timings,
                error,
                omitted,
                objectsUri != null ? objectsUri : folder);
    }
}
