package io.varflow.operators.store;

/**
 * One image after the store: the URIs of its stored objects, or why it has none. Emitted only after
 * every requested object of the image was acknowledged by the store. A Flink POJO.
 *
 * @param requestId the request
 * @param index image index
 * @param count images in the request
 * @param model model name
 * @param label class label
 * @param seed the image's seed
 * @param imageUri {@code s3://…} of the PNG, null when not requested or failed
 * @param tokenMapUri {@code s3://…} of the token map, null when not requested or failed
 * @param receivedAt when the request was accepted (epoch ms)
 * @param queueWaitMs time waiting for a batch
 * @param sampleMs the image's share of its batch's time in the model (batch time / batch size)
 * @param storeMs time of the attempt that stored the image's objects (encoding and puts); earlier
 *     failed attempts and the backoff between them are not included; 0 for a failed image
 * @param storedAt when the last object was acknowledged (epoch ms)
 * @param error null on success
 */
public record StoredImage(
        String requestId,
        int index,
        int count,
        String model,
        int label,
        long seed,
        String imageUri,
        String tokenMapUri,
        long receivedAt,
        long queueWaitMs,
        long sampleMs,
        long storeMs,
        long storedAt,
        String error) {}
