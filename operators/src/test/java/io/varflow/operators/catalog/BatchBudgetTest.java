package io.varflow.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.MemoryEstimate;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import org.junit.jupiter.api.Test;

class BatchBudgetTest {

    private static final ModelConfig D16 = ModelConfigs.resolve("d16");

    @Test
    void autoOnTheCpuFillsTheHostBudgetAndNoMore() {
        long weights = MemoryEstimate.weightBytes(D16, RuntimeOptions.Precision.FP32);
        long perImage = MemoryEstimate.bytesPerImage(D16, RuntimeOptions.Precision.FP32);
        long budget = weights + 5 * perImage + perImage / 2;

        BatchBudget.Choice choice = BatchBudget.auto(D16, RuntimeOptions.CPU_FP32, budget);

        assertThat(choice.maxBatch()).isEqualTo(5);
        assertThat(choice.reason()).contains("host budget").contains("per image");
    }

    @Test
    void autoOnTheCpuStopsAtTheCpuCap() {
        assertThat(BatchBudget.auto(D16, RuntimeOptions.CPU_FP32, 1L << 50).maxBatch())
                .isEqualTo(BatchBudget.CPU_CAP);
    }

    @Test
    void aBudgetBelowOneImageIsAClearError() {
        assertThatThrownBy(() -> BatchBudget.auto(D16, RuntimeOptions.CPU_FP32, 1L << 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise the budget");
    }

    @Test
    void sizesParseInBinaryUnits() {
        assertThat(BatchBudget.parseBytes("k", "8g")).isEqualTo(8L << 30);
        assertThat(BatchBudget.parseBytes("k", " 512MiB ")).isEqualTo(512L << 20);
        assertThat(BatchBudget.parseBytes("k", "4096")).isEqualTo(4096L);
        assertThatThrownBy(() -> BatchBudget.parseBytes("batch.host-memory", "lots"))
                .hasMessageContaining("batch.host-memory");
        assertThatThrownBy(() -> BatchBudget.parseBytes("k", "0g"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
