package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.RuntimeOptions;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.pipeline.config.JobConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogsTest {

    @Test
    void theOneModelSettingsStillServeTheBundledTinyModel() {
        ModelCatalog catalog =
                ModelCatalogs.from(JobConfig.builder().set("batch.max-images", "6").build());
        assertThat(catalog.models())
                .singleElement()
                .satisfies(
                        spec -> {
                            assertThat(spec.name()).isEqualTo("tiny");
                            assertThat(spec.maxBatch()).isEqualTo(6);
                            assertThat(spec.subtasks()).as("every subtask").isEmpty();
                        });
    }

    @Test
    void listedModelsKeepTheirOrderLimitsRuntimeAndPlacement() {
        JobConfig config =
                JobConfig.builder()
                        .set("models", "name=tiny,subtasks=1;name=tiny-b,max-images=2,subtasks=0-1")
                        .set("batch.max-images", "5")
                        .set("job.parallelism", "2")
                        .build();
        VarflowJob.checkSettings(config);
        ModelCatalog catalog = ModelCatalogs.from(config);
        assertThat(catalog.defaultModel()).isEqualTo("tiny");
        assertThat(catalog.models())
                .extracting(ModelSpec::name, ModelSpec::maxBatch, ModelSpec::subtasks)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("tiny", 5, List.of(1)),
                        org.assertj.core.groups.Tuple.tuple("tiny-b", 2, List.of(0, 1)));
        assertThat(catalog.models())
                .allSatisfy(
                        spec -> {
                            assertThat(spec.isBundledTiny()).isTrue();
                            assertThat(spec.runtimeOr(null))
                                    .as("model.device and model.dtype")
                                    .isEqualTo(RuntimeOptions.CPU_FP32);
                        });
    }

    @Test
    void givingBothFormsIsRefusedNamingBoth() {
        JobConfig config =
                JobConfig.builder().set("models", "name=a").set("model.name", "b").build();
        assertThatThrownBy(() -> VarflowJob.checkSettings(config))
                .hasMessageContaining(
                        "models (--set) and model.name (--set) both say which models to serve");
    }

    @Test
    void aPlacementOnASubtaskTheJobLacksIsRefused() {
        JobConfig config = JobConfig.builder().set("models", "name=a,subtasks=0+2").build();
        assertThatThrownBy(() -> VarflowJob.checkSettings(config))
                .hasMessageContaining("model a: subtask 2 does not exist: job.parallelism is 1");
    }

    @Test
    void checkpointsComeInPairsWithAConfigAndHalfPrecisionNeedsTheGpu() {
        assertThatThrownBy(
                        () ->
                                VarflowJob.checkSettings(
                                        JobConfig.builder()
                                                .set("models", "name=a,vae=/v.pth")
                                                .build()))
                .hasMessageContaining("model a: give both checkpoints");
        assertThatThrownBy(
                        () ->
                                VarflowJob.checkSettings(
                                        JobConfig.builder()
                                                .set("models", "name=a,vae=/v.pth,var=/r.pth")
                                                .build()))
                .hasMessageContaining("model a: config is required with checkpoints");
        assertThatThrownBy(
                        () ->
                                VarflowJob.checkSettings(
                                        JobConfig.builder()
                                                .set("models", "name=a,config=d16")
                                                .build()))
                .hasMessageContaining("config d16 needs checkpoints");
        assertThatThrownBy(
                        () ->
                                VarflowJob.checkSettings(
                                        JobConfig.builder()
                                                .set("models", "name=a,dtype=fp16")
                                                .build()))
                .hasMessageContaining("model a: --dtype fp16 needs --device gpu");
    }

    @Test
    void demoServesTheBundledModelsSideBySideUnlessModelsAreGiven() {
        JobConfig plain =
                ModelCatalogs.servingBundledUnlessGiven(
                        JobConfig.builder().set("batch.max-images", "8").build());
        assertThat(ModelCatalogs.from(plain).models())
                .extracting(ModelSpec::name, ModelSpec::maxBatch)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("fashion", 8),
                        org.assertj.core.groups.Tuple.tuple("tiny", 8));
        assertThat(ModelCatalogs.from(plain).get("fashion").imageSize())
                .as("fashion is the trained 32 px model, not the tiny fixture")
                .isEqualTo(32);
        JobConfig own =
                JobConfig.builder()
                        .set("model.vae", "/v.pth")
                        .set("model.var", "/r.pth")
                        .set("model.config", "d16")
                        .build();
        assertThat(ModelCatalogs.servingBundledUnlessGiven(own)).isSameAs(own);
        JobConfig listed = JobConfig.builder().set("models", "name=x").build();
        assertThat(ModelCatalogs.servingBundledUnlessGiven(listed)).isSameAs(listed);
    }
}
