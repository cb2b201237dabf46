package io.varflow.operators.store;

import java.io.Serializable;

/**
 * Retries of an image's store: after a failed attempt, up to {@code maxRetries} more, with exponential backoff from
 * {@code initialBackoffMs} (doubling, capped at {@code maxBackoffMs}), all within
 * {@code timeoutMs}. When attempts or time run out the job fails and restarts from its last
 * checkpoint: nothing is reported stored that is not.
 */
public record StoreRetryOptions(int maxRetries, long initialBackoffMs, long maxBackoffMs, long timeoutMs,
        int capacity) implements Serializable {

    /** 5 retries, 200 ms doubling to 5 s, 2 min in all, 64 images in flight per subtask. */
    public static final StoreRetryOptions DEFAULTS = new StoreRetryOptions(5, 200, 5_000, 120_000, 64);

    public StoreRetryOptions {
        if (maxRetries < 0 || initialBackoffMs < 1 || maxBackoffMs < initialBackoffMs || timeoutMs < 1
                || capacity < 1) {
            throw new IllegalArgumentException("invalid store retry options: " + maxRetries + " retries, backoff "
                    + initialBackoffMs + ".." + maxBackoffMs + " ms, timeout " + timeoutMs + " ms, capacity "
                    + capacity);
        }
    }
}
