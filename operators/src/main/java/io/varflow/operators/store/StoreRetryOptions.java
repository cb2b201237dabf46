package io.varflow.operators.store;

import java.io.Serializable;

/**
 * Retries of an image's store: after a failed attempt, up to {@code maxRetries} more, each after a
 * jittered exponential backoff from {@code initialBackoffMs} (doubling, capped at {@code
 * maxBackoffMs}), all within {@code timeoutMs} from the first attempt. Meanwhile at most {@code
 * capacity} images per subtask are in flight and the rest of the job is back-pressured, so an
 * outage of the store delays work in place. When attempts or time run out the job fails and
 * restarts from its last checkpoint: nothing is reported stored that is not.
 */
public record StoreRetryOptions(
        int maxRetries, long initialBackoffMs, long maxBackoffMs, long timeoutMs, int capacity)
        implements Serializable {

    /**
     * {@code maxRetries} of retries bounded only by time (one below the largest int, so a count
     * never overflows it).
     */
    public static final int NO_RETRY_LIMIT = Integer.MAX_VALUE - 1;

    /**
     * Retries without a count limit for 5 min in all, 200 ms doubling to 10 s, 64 images in flight
     * per subtask.
     */
    public static final StoreRetryOptions DEFAULTS = ofTotal(300_000, 200, 10_000, 64);

    public StoreRetryOptions {
        if (maxRetries < 0
                || initialBackoffMs < 1
                || maxBackoffMs < initialBackoffMs
                || timeoutMs < 1
                || capacity < 1) {
            throw new IllegalArgumentException(
                    "invalid store retry options: "
                            + maxRetries
                            + " retries, backoff "
                            + initialBackoffMs
                            + ".."
                            + maxBackoffMs
                            + " ms, timeout "
                            + timeoutMs
                            + " ms, capacity "
                            + capacity);
        }
    }

    /** Whether retry number {@code attempt} (1-based) is within {@code maxRetries}. */
    public boolean allowsRetry(int attempt) {
        return attempt <= maxRetries;
    }

    /**
     * Retries bounded only by {@code totalMs}: the budget an outage may take before the job fails.
     */
    public static StoreRetryOptions ofTotal(
            long totalMs, long initialBackoffMs, long maxBackoffMs, int capacity) {
        return new StoreRetryOptions(
                NO_RETRY_LIMIT, initialBackoffMs, maxBackoffMs, totalMs, capacity);
    }
}
