package io.varflow.operators.store;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.apache.flink.streaming.api.functions.async.AsyncRetryPredicate;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.RetryPredicates;

/**
 * Retries a failed async call after an exponentially growing, jittered pause: attempt n waits a
 * random time between half and all of {@code min(maxBackoff, initialBackoff * 2^(n-1))}. The jitter
 * keeps the subtasks' retries from hitting a recovering store in lock-step. The total time is
 * bounded by the async operator's timeout, not here.
 */
public final class JitteredBackoff<T> implements AsyncRetryStrategy<T> {

    private static final long serialVersionUID = 1L;

    private final StoreRetryOptions options;

    JitteredBackoff(StoreRetryOptions options) {
        this.options = options;
    }

    /** The strategy for {@code options}' retries and backoff. */
    public static <T> JitteredBackoff<T> of(StoreRetryOptions options) {
        return new JitteredBackoff<>(options);
    }

    @Override
    public boolean canRetry(int currentAttempts) {
        return currentAttempts <= options.maxRetries();
    }

    @Override
    public long getBackoffTimeMillis(int currentAttempts) {
        return jittered(ceiling(currentAttempts), ThreadLocalRandom.current().nextDouble());
    }

    /** The un-jittered pause before retry {@code attempt} (1-based). */
    long ceiling(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 40);
        double pause = options.initialBackoffMs() * Math.pow(2, doublings);
        return (long) Math.min(pause, options.maxBackoffMs());
    }

    /** {@code ceiling} scaled into [ceiling / 2, ceiling] by {@code random} in [0, 1). */
    static long jittered(long ceiling, double random) {
        return Math.max(1, ceiling / 2 + (long) (random * (ceiling - ceiling / 2)));
    }

    @Override
    public AsyncRetryPredicate<T> getRetryPredicate() {
        return new AsyncRetryPredicate<>() {
            @Override
            public Optional<Predicate<Collection<T>>> resultPredicate() {
                return Optional.empty();
            }

            @Override
            public Optional<Predicate<Throwable>> exceptionPredicate() {
                return Optional.of(RetryPredicates.HAS_EXCEPTION_PREDICATE);
            }
        };
    }
}
