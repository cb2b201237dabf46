package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.MemoryEstimate;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.BatchBudget;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import org.junit.jupiter.api.Test;

class BatchLimitsTest {

    private static final ModelConfig D16 = ModelConfigs.resolve("d16");

    @Test
    void anExplicitNumberWins() {
        JobConfig config = JobConfig.builder().set(JobOptions.BATCH_MAX_IMAGES.key(), "12").build();
        BatchBudget.Choice choice = BatchLimits.choose(config, "d16", D16);
        assertThat(choice.maxBatch()).isEqualTo(12);
        assertThat(choice.reason()).contains("batch.max-images");
    }

    @Test
    void autoIsTheDefaultAndFillsTheHostBudgetOnTheCpu() {
        long weights = MemoryEstimate.weightBytes(D16, RuntimeOptions.Precision.FP32);
        long perImage = MemoryEstimate.bytesPerImage(D16, RuntimeOptions.Precision.FP32);
        long budgetMiB = (weights + 3 * perImage + perImage / 2) >> 20;
        JobConfig config =
                JobConfig.builder()
                        .set(JobOptions.BATCH_HOST_MEMORY.key(), budgetMiB + "m")
                        .build();

        BatchBudget.Choice choice = BatchLimits.choose(config, "d16", D16);

        assertThat(choice.maxBatch()).isEqualTo(3);
        assertThat(choice.reason())
                .startsWith("auto")
                .contains("host budget " + budgetMiB + " MiB");
    }

    @Test
    void aBadHostBudgetNamesTheSetting() {
        assertThatThrownBy(
                        () ->
                                JobConfig.builder()
                                        .set(JobOptions.BATCH_HOST_MEMORY.key(), "plenty")
                                        .build())
                .hasMessageContaining("batch.host-memory");
    }
}
