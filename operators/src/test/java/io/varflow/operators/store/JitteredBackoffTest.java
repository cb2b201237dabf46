package io.varflow.operators.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitteredBackoffTest {

    private final JitteredBackoff<StoredImage> backoff =
            JitteredBackoff.of(StoreRetryOptions.ofTotal(60_000, 200, 10_000, 8));

    @Test
    void pausesDoubleUpToTheCapAndAreJitteredIntoTheirUpperHalf() {
        assertThat(backoff.ceiling(1)).isEqualTo(200);
        assertThat(backoff.ceiling(2)).isEqualTo(400);
        assertThat(backoff.ceiling(6)).isEqualTo(6_400);
        assertThat(backoff.ceiling(7)).isEqualTo(10_000);
        assertThat(backoff.ceiling(10_000)).isEqualTo(10_000);
        assertThat(JitteredBackoff.jittered(10_000, 0.0)).isEqualTo(5_000);
        assertThat(JitteredBackoff.jittered(10_000, 0.999)).isBetween(9_990L, 10_000L);
        for (int attempt = 1; attempt < 50; attempt++) {
            assertThat(backoff.getBackoffTimeMillis(attempt))
                    .isBetween(backoff.ceiling(attempt) / 2, backoff.ceiling(attempt));
        }
    }

    @Test
    void onlyTheTimeBudgetEndsRetriesOfTotalOptions() {
        assertThat(backoff.canRetry(1_000_000)).isTrue();
        assertThat(JitteredBackoff.of(new StoreRetryOptions(2, 50, 100, 30_000, 8)).canRetry(3))
                .isFalse();
        assertThat(backoff.getRetryPredicate().exceptionPredicate()).isPresent();
    }
}
