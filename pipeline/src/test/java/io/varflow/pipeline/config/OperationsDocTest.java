package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings example in docs/operations.md is a file {@code varflow job --settings} accepts. */
class OperationsDocTest {

    @TempDir Path dir;

    @Test
    void yamlExampleParsesIntoTheDocumentedSettings() throws Exception {
        Path root = Path.of(System.getProperty("varflow.repo.root", ".."));
        String doc = Files.readString(root.resolve("docs/operations.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        Path file = Files.writeString(dir.resolve("varflow.yaml"), yaml);

        JobConfig config = JobConfig.builder().file(file).set("kafka.sasl.password", "pw").build();

        assertThat(config.get(JobOptions.KAFKA_SECURITY_PROTOCOL)).isEqualTo("SASL_SSL");
        assertThat(config.get(JobOptions.S3_ENDPOINT)).startsWith("https://");
        Properties kafka = KafkaClientSettings.connection(config);
        assertThat(kafka.getProperty("sasl.jaas.config"))
                .contains("ScramLoginModule", "username=\"varflow\"");
        assertThat(kafka.getProperty("ssl.truststore.location"))
                .isEqualTo("/etc/varflow/kafka-truststore.p12");
    }

    @Test
    void severalModelsExampleParsesIntoTwoPlacedModels() throws Exception {
        Path root = Path.of(System.getProperty("varflow.repo.root", ".."));
        String doc = Files.readString(root.resolve("docs/operations.md"));
        int section = doc.indexOf("## Several models in one job");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        Path file = Files.writeString(dir.resolve("models.yaml"), yaml);

        JobConfig config = JobConfig.builder().file(file).build();

        List<ModelEntry> models = config.get(JobOptions.MODELS).entries();
        assertThat(models).extracting(ModelEntry::name).containsExactly("d16", "d30");
        assertThat(models)
                .extracting(ModelEntry::subtasks)
                .containsExactly(List.of(0, 1), List.of(2, 3));
        assertThat(models)
                .allSatisfy(m -> assertThat(m.dtype()).isEqualTo(RuntimeOptions.Precision.BF16));
        assertThat(models.get(1).maxImages()).isEqualTo(4);
        String line = doc.substring(doc.indexOf("`name=d16", section) + 1);
        line = line.substring(0, line.indexOf('`'));
        assertThat(JobConfig.builder().set("models", line).build().get(JobOptions.MODELS).entries())
                .extracting(ModelEntry::name, ModelEntry::subtasks)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("d16", List.of(0, 1)),
                        org.assertj.core.groups.Tuple.tuple("d30", List.of(2, 3)));
    }
}
