package io.varflow.pipeline.config;

import java.util.Locale;

/**
 * A batch limit as a setting gives it: a fixed number of images, or {@link #AUTO}, the largest
 * batch that fits the sampler's device memory (decided per model by {@code
 * pipeline.job.BatchLimits}).
 *
 * @param images the fixed limit, at least 1; 0 for {@link #AUTO}
 */
public record BatchSize(int images) {

    public static final BatchSize AUTO = new BatchSize(0);
    private static final String AUTO_WORD = "auto";

    public BatchSize {
        if (images < 0) {
            throw new IllegalArgumentException("must be auto or a number of images >= 1");
        }
    }

    public static BatchSize of(int images) {
        if (images < 1) {
            throw new IllegalArgumentException("must be auto or a number of images >= 1");
        }
        return new BatchSize(images);
    }

    public boolean isAuto() {
        return images == 0;
    }

    static BatchSize parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals(AUTO_WORD)) {
            return AUTO;
        }
        try {
            return of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be auto or a number of images >= 1");
        }
    }

    @Override
    public String toString() {
        return isAuto() ? AUTO_WORD : Integer.toString(images);
    }
}
