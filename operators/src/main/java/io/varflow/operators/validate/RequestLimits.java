package io.varflow.operators.validate;

import java.io.Serializable;

/**
 * Bounds on every input of a request. Serializable configuration shipped with the validator.
 *
 * @param maxMessageBytes largest accepted message value
 * @param maxImagesPerRequest largest count (or labels length)
 */
public record RequestLimits(int maxMessageBytes, int maxImagesPerRequest) implements Serializable {

    /** 64 KiB messages, 10 000 images per request. */
    public static final RequestLimits DEFAULTS = new RequestLimits(64 * 1024, 10_000);

    /** The schema's own hard ceiling on count and labels. */
    public static final int SCHEMA_MAX_IMAGES = 100_000;

    public RequestLimits {
        if (maxMessageBytes < 256) {
            throw new IllegalArgumentException(
                    "maxMessageBytes must be at least 256, got " + maxMessageBytes);
        }
        if (maxImagesPerRequest < 1 || maxImagesPerRequest > SCHEMA_MAX_IMAGES) {
            throw new IllegalArgumentException(
                    "maxImagesPerRequest must be in [1, "
                            + SCHEMA_MAX_IMAGES
                            + "], got "
                            + maxImagesPerRequest);
        }
    }
}
