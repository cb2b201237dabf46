package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelEntriesTest {

    @TempDir Path dir;

    @Test
    void readsEveryFieldAndWritesTheSameTextBack() {
        String text =
                "name=big,config=d16,vae=s3://m/vae.pth,var=/models/var.pth,device=gpu,dtype=bf16,"
                        + "max-images=16,subtasks=0-1+3;name=small,max-images=4";
        String written = text.replace("0-1+3", "0+1+3");
        ModelEntries models =
                JobConfig.builder().set("models", text).build().get(JobOptions.MODELS);
        assertThat(models.entries())
                .containsExactly(
                        new ModelEntry(
                                "big",
                                "d16",
                                "s3://m/vae.pth",
                                "/models/var.pth",
                                RuntimeOptions.Device.GPU,
                                RuntimeOptions.Precision.BF16,
                                16,
                                List.of(0, 1, 3)),
                        ModelEntry.bundledTiny("small", 4));
        assertThat(models.format()).as("ranges written out").isEqualTo(written);
        assertThat(ModelEntries.parse(models.format())).isEqualTo(models);
    }

    @Test
    void aYamlSettingsFileMayListTheModels() throws Exception {
        Path yaml = dir.resolve("varflow.yaml");
        Files.writeString(
                yaml,
                """
                models:
                  - name: tiny
                    max-images: 8
                    subtasks: [0, 2]
                  - name: d16
                    config: d16
                    vae: /m/vae.pth
                    var: /m/var.pth
                    device: gpu
                """);
        ModelEntries models = JobConfig.builder().file(yaml).build().get(JobOptions.MODELS);
        assertThat(models.entries()).extracting(ModelEntry::name).containsExactly("tiny", "d16");
        assertThat(models.entries().get(0).subtasks()).containsExactly(0, 2);
        assertThat(models.entries().get(1).device()).isEqualTo(RuntimeOptions.Device.GPU);
        assertThat(models.entries().get(1).dtype()).as("left to model.dtype").isNull();
    }

    @Test
    void mistakesAreRefusedNamingTheModelAndField() {
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a;name=a").build())
                .hasMessageContaining("models")
                .hasMessageContaining("'a' is listed twice");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a,colour=red").build())
                .hasMessageContaining("model 1 has 'colour'");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "config=d16").build())
                .hasMessageContaining("model 1 has none");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a,max-images=0").build())
                .hasMessageContaining("max-images must be at least 1 (model a)");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a,subtasks=3-1").build())
                .hasMessageContaining("runs backwards (model a)");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a,device=tpu").build())
                .hasMessageContaining("cpu,gpu (model a)");
        assertThatThrownBy(() -> JobConfig.builder().set("models", "name=a,subtasks").build())
                .hasMessageContaining("has no '='");
    }
}
