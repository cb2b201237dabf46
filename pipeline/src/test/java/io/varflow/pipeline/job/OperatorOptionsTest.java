package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.edit.EditLimits;
import io.varflow.operators.messages.OutputLimits;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.validate.RequestLimits;
import io.varflow.pipeline.config.JobConfig;
import org.junit.jupiter.api.Test;

/** The limits, output bounds, batching and store settings reach the operators' option records. */
class OperatorOptionsTest {

    @Test
    void defaultsAreTheOperatorsOwn() {
        JobConfig defaults = JobConfig.defaults();
        assertThat(OperatorOptions.requestLimits(defaults)).isEqualTo(RequestLimits.DEFAULTS);
        assertThat(OperatorOptions.editLimits(defaults)).isEqualTo(EditLimits.DEFAULTS);
        assertThat(OperatorOptions.batching(defaults)).isEqualTo(BatchingOptions.DEFAULTS);
        assertThat(OperatorOptions.storeRetry(defaults)).isEqualTo(StoreRetryOptions.DEFAULTS);
        assertThat(OperatorOptions.outputLimits(defaults)).isEqualTo(OutputLimits.DEFAULTS);
    }

    @Test
    void settingsReachTheRecords() {
        JobConfig config =
                JobConfig.builder()
                        .set("requests.max-message-bytes", "32kb")
                        .set("requests.max-images", "50")
                        .set("edits.max-message-bytes", "2mb")
                        .set("edits.max-variants", "4")
                        .set("edits.max-inline-bytes", "100kb")
                        .set("edits.max-object-bytes", "8mb")
                        .set("batch.max-wait", "50ms")
                        .set("batch.priority-lookahead", "4")
                        .set("store.max-retries", "2")
                        .set("store.initial-backoff", "100ms")
                        .set("store.max-backoff", "1s")
                        .set("store.timeout", "30s")
                        .set("store.max-in-flight", "16")
                        .set("dead-letter.max-original-bytes", "1kb")
                        .set("results.max-listed-images", "10")
                        .build();
        assertThat(OperatorOptions.requestLimits(config))
                .isEqualTo(new RequestLimits(32 * 1024, 50));
        assertThat(OperatorOptions.editLimits(config))
                .isEqualTo(new EditLimits(2 << 20, 4, 100 * 1024, 8L << 20));
        assertThat(OperatorOptions.batching(config)).isEqualTo(new BatchingOptions(50, 4));
        assertThat(OperatorOptions.storeRetry(config))
                .isEqualTo(new StoreRetryOptions(2, 100, 1000, 30_000, 16));
        assertThat(OperatorOptions.outputLimits(config))
                .isEqualTo(new OutputLimits(1024, OutputLimits.DEFAULTS.maxReasonChars(), 10));
    }
}
