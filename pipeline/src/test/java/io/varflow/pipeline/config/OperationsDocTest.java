package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        assertThat(kafka.getProperty("sasl.jaas.config")).contains("ScramLoginModule", "username=\"varflow\"");
        assertThat(kafka.getProperty("ssl.truststore.location")).isEqualTo("/etc/varflow/kafka-truststore.p12");
    }
}
