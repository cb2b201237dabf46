package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @TempDir Path dir;

    @Test
    void laterSourcesOverrideEarlierOnes() throws Exception {
        Path yaml = dir.resolve("varflow.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrap-servers: file:9092
                  topic:
                    results: from-file
                s3:
                  bucket: file-bucket
                job:
                  parallelism: 3
                """);
        JobConfig config = JobConfig.builder()
                .file(yaml)
                .environment(Map.of("VARFLOW_S3_BUCKET", "env-bucket", "UNRELATED", "x"))
                .set("job.parallelism", "4")
                .build();
        assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("file:9092");
        assertThat(config.get(JobOptions.TOPIC_RESULTS)).isEqualTo("from-file");
        assertThat(config.get(JobOptions.S3_BUCKET)).as("environment beats the file").isEqualTo("env-bucket");
        assertThat(config.getPositiveInt(JobOptions.JOB_PARALLELISM)).as("flags beat everything").isEqualTo(4);
        assertThat(config.get(JobOptions.TOPIC_REQUESTS)).as("defaults fill the rest").isEqualTo("varflow.requests");
    }

    @Test
    void readsPropertiesFilesAndPassesKafkaPropertiesThrough() throws Exception {
        Path file = dir.resolve("job.properties");
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap-servers", "a:1,b:2");
        p.setProperty("kafka.property.client.dns.lookup", "use_all_dns_ips");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, null);
        }
        JobConfig config = JobConfig.builder().file(file).build();
        assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("a:1,b:2");
        assertThat(config.kafkaPassthrough()).containsEntry("client.dns.lookup", "use_all_dns_ips");
    }

    @Test
    void unknownKeysAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> JobConfig.builder().set("kafka.bootstrap.servers", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'kafka.bootstrap.servers'")
                .hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> JobConfig.builder().setAssignment("no-equals-sign"))
                .hasMessageContaining("key=value");
    }

    @Test
    void secretsNeverAppearInToStringOrDescribe() {
        JobConfig config = JobConfig.builder()
                .set("s3.secret-key", "s3-very-secret")
                .set("kafka.sasl.password", "kafka-very-secret")
                .set("kafka.property.ssl.keystore.password", "ks-very-secret")
                .set("s3.access-key", "AKIA-visible")
                .build();
        assertThat(config.toString()).doesNotContain("very-secret").contains("s3.secret-key=****", "AKIA-visible");
        assertThat(config.describe()).doesNotContain("very-secret").contains("kafka.sasl.password=****");
    }

    @Test
    void durationsAndNumbersAreValidated() {
        assertThat(JobConfig.parseDuration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(JobConfig.parseDuration("k", "10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(JobConfig.parseDuration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(JobConfig.parseDuration("k", "PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> JobConfig.parseDuration("job.checkpoint-interval", "soon"))
                .hasMessageContaining("job.checkpoint-interval").hasMessageContaining("'soon'");
        JobConfig zero = JobConfig.builder().set("job.parallelism", "0").build();
        assertThatThrownBy(() -> zero.getPositiveInt(JobOptions.JOB_PARALLELISM)).hasMessageContaining("at least 1");
    }

    @Test
    void requiredValuesNameTheirEnvironmentVariable() {
        assertThatThrownBy(() -> JobConfig.defaults().require(JobOptions.S3_SECRET_KEY))
                .hasMessageContaining("s3.secret-key is required")
                .hasMessageContaining("VARFLOW_S3_SECRET_KEY");
    }

    @Test
    void everyOptionIsDeclaredOnceWithADescription() {
        assertThat(JobOptions.all()).isNotEmpty();
        JobOptions.all().values().forEach(o -> assertThat(o.description()).isNotBlank());
        assertThat(JobOptions.KAFKA_BOOTSTRAP_SERVERS.environmentVariable()).isEqualTo("VARFLOW_KAFKA_BOOTSTRAP_SERVERS");
    }
}
