package io.varflow.operators.batch;

import java.io.Serializable;

/**
 * How the batcher trades latency for GPU utilisation.
 *
 * @param maxDelayMs a partial batch is flushed once its oldest task has waited this long, or once a
 *     task's deadline is this near (the time left for its batch to run)
 * @param priorityLookahead the batcher holds up to {@code lookahead x maxBatch} tasks per model and
 *     subtask before it must flush, so an interactive task can overtake up to {@code (lookahead -
 *     1) x maxBatch} queued bulk tasks; 1 means plain first-in-first-out
 */
public record BatchingOptions(long maxDelayMs, int priorityLookahead) implements Serializable {

    public static final BatchingOptions DEFAULTS = new BatchingOptions(200, 2);

    public BatchingOptions {
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("maxDelayMs must be >= 0, got " + maxDelayMs);
        }
        if (priorityLookahead < 1 || priorityLookahead > 16) {
            throw new IllegalArgumentException(
                    "priorityLookahead must be in [1, 16], got " + priorityLookahead);
        }
    }
}
