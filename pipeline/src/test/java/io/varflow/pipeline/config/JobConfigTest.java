package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.RuntimeOptions;
import io.varflow.operators.store.StoreRetryOptions;
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
        Files.writeString(
                yaml,
                """
                kafka:
                  bootstrap-servers: file:9092
                  topic:
                    results: from-file
                s3:
                  bucket: file-bucket
                job:
                  parallelism: 3
                """);
        JobConfig config =
                JobConfig.builder()
                        .file(yaml)
                        .environment(Map.of("VARFLOW_S3_BUCKET", "env-bucket", "UNRELATED", "x"))
                        .set("job.parallelism", "4")
                        .build();
        assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("file:9092");
        assertThat(config.get(JobOptions.TOPIC_RESULTS)).isEqualTo("from-file");
        assertThat(config.get(JobOptions.S3_BUCKET))
                .as("environment beats the file")
                .isEqualTo("env-bucket");
        assertThat(config.get(JobOptions.JOB_PARALLELISM))
                .as("--set beats everything")
                .isEqualTo(4);
        assertThat(config.source(JobOptions.S3_BUCKET)).isEqualTo("environment VARFLOW_S3_BUCKET");
        assertThat(config.source(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("file " + yaml);
        assertThat(config.get(JobOptions.TOPIC_REQUESTS))
                .as("defaults fill the rest")
                .isEqualTo("varflow.requests");
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
        JobConfig config =
                JobConfig.builder()
                        .set("s3.secret-key", "s3-very-secret")
                        .set("kafka.sasl.password", "kafka-very-secret")
                        .set("kafka.property.ssl.keystore.password", "ks-very-secret")
                        .set("s3.access-key", "AKIA-visible")
                        .build();
        assertThat(config.toString())
                .doesNotContain("very-secret")
                .contains("s3.secret-key=****", "AKIA-visible");
        assertThat(config.describe())
                .doesNotContain("very-secret")
                .contains("kafka.sasl.password=****");
    }

    @Test
    void valuesAreTypedWithDefaultsFromTheDeclarations() {
        JobConfig config =
                JobConfig.builder()
                        .set("job.checkpoint-interval", "250ms")
                        .set("batch.fixed-shape", "TRUE")
                        .set("model.device", "GPU")
                        .set("model.dtype", "bf16")
                        .set("edits.max-inline-bytes", "1mb")
                        .set("kafka.security.protocol", "sasl_ssl")
                        .build();
        assertThat(config.get(JobOptions.JOB_CHECKPOINT_INTERVAL))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(config.get(JobOptions.BATCH_FIXED_SHAPE)).isTrue();
        assertThat(config.get(JobOptions.MODEL_DEVICE)).isEqualTo(RuntimeOptions.Device.GPU);
        assertThat(config.get(JobOptions.MODEL_DTYPE)).isEqualTo(RuntimeOptions.Precision.BF16);
        assertThat(config.get(JobOptions.EDITS_MAX_INLINE_BYTES)).isEqualTo(1L << 20);
        assertThat(config.get(JobOptions.KAFKA_SECURITY_PROTOCOL)).isEqualTo("SASL_SSL");
        assertThat(config.get(JobOptions.KAFKA_TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(config.find(JobOptions.STORE_MAX_RETRIES))
                .as("no count limit unless set")
                .isEmpty();
        assertThat(config.get(JobOptions.STORE_TIMEOUT).toMillis())
                .isEqualTo(StoreRetryOptions.DEFAULTS.timeoutMs());
        assertThat(config.get(JobOptions.REQUESTS_COMPLETED_TTL)).isEqualTo(Duration.ofDays(7));
        assertThat(JobOptions.REQUESTS_COMPLETED_TTL.defaultText()).isEqualTo("7d");
        assertThat(JobOptions.BATCH_MAX_WAIT.defaultText()).isEqualTo("200ms");
        assertThat(JobOptions.EDITS_MAX_MESSAGE_BYTES.defaultText()).isEqualTo("1mb");
        assertThat(JobOptions.KAFKA_TRANSACTION_TIMEOUT.type().parse("PT2S"))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void everyBadValueIsRefusedOnBuildNamingItsKeyAndSource() throws Exception {
        Path file =
                Files.writeString(dir.resolve("job.properties"), "job.checkpoint-interval=soon\n");
        assertThatThrownBy(
                        () ->
                                JobConfig.builder()
                                        .file(file)
                                        .environment(Map.of("VARFLOW_JOB_PARALLELISM", "0"))
                                        .set("batch.fixed-shape", "yes")
                                        .flag(JobOptions.BATCH_MAX_IMAGES, "many")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job.checkpoint-interval must be a duration like 500ms")
                .hasMessageContaining("got 'soon' (from file " + file + ")")
                .hasMessageContaining(
                        "job.parallelism must be at least 1, got '0' (from environment VARFLOW_JOB_PARALLELISM)")
                .hasMessageContaining(
                        "batch.fixed-shape must be true or false, got 'yes' (from --set)")
                .hasMessageContaining(
                        "batch.max-images must be auto or a number of images >= 1, got 'many' (from --max-batch)");
        assertThatThrownBy(
                        () ->
                                JobConfig.builder()
                                        .set("kafka.sasl.password", "")
                                        .set("model.device", "tpu")
                                        .build())
                .hasMessageContaining("model.device must be one of cpu,gpu, got 'tpu'");
        assertThatThrownBy(() -> JobConfig.defaults().with(JobOptions.BATCH_PRIORITY_LOOKAHEAD, 17))
                .hasMessageContaining("batch.priority-lookahead must be between 1 and 16");
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
        JobOptions.all().values().stream()
                .filter(o -> o.defaultValue() != null)
                .forEach(
                        o ->
                                assertThat(o.parse(o.defaultText()))
                                        .as(o.key())
                                        .isEqualTo(o.defaultValue()));
        assertThat(JobOptions.KAFKA_BOOTSTRAP_SERVERS.environmentVariable())
                .isEqualTo("VARFLOW_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void aDefaultOverrideReplacesOnlyTheDeclaredDefaultNeverASetValue() {
        Setting<Duration> interval = JobOptions.JOB_CHECKPOINT_INTERVAL;
        Duration declared = interval.defaultValue();
        JobConfig unset =
                JobConfig.defaults()
                        .withDefault(interval, Duration.ofSeconds(2), "the embedded stack");
        assertThat(unset.get(interval)).isEqualTo(Duration.ofSeconds(2));
        assertThat(unset.source(interval)).isEqualTo("default of the embedded stack");

        JobConfig setToDeclared =
                JobConfig.builder()
                        .set(interval.key(), interval.defaultText())
                        .build()
                        .withDefault(interval, Duration.ofSeconds(2), "the embedded stack");
        assertThat(setToDeclared.get(interval))
                .as("a value equal to the declared default was still set")
                .isEqualTo(declared);
        assertThat(setToDeclared.source(interval)).isEqualTo("--set");
    }
}
