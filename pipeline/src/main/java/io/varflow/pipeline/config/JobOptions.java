package io.varflow.pipeline.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the varflow job, declared once. {@link JobConfig} reads them from flags, a
 * properties or YAML file and the environment; {@code docs/operations.md} lists them.
 *
 * <p>Kafka client settings not declared here pass through with the prefix {@code kafka.property.}
 * (e.g. {@code kafka.property.ssl.endpoint.identification.algorithm=}).
 */
public final class JobOptions {

    private JobOptions() {}

    // Kafka
    public static final ConfigOption KAFKA_BOOTSTRAP_SERVERS =
            ConfigOption.of("kafka.bootstrap-servers", "localhost:9092", "Kafka bootstrap servers, host:port[,host:port]");
    public static final ConfigOption TOPIC_REQUESTS =
            ConfigOption.of("kafka.topic.requests", "varflow.requests", "Topic the job reads generation requests from");
    public static final ConfigOption TOPIC_EDITS =
            ConfigOption.of("kafka.topic.edits", "varflow.edits", "Topic the job reads edit requests from (schemas/edit-request.schema.json)");
    public static final ConfigOption TOPIC_RESULTS =
            ConfigOption.of("kafka.topic.results", "varflow.results", "Topic the job writes one ResultEvent per request to");
    public static final ConfigOption TOPIC_DEAD_LETTERS =
            ConfigOption.of(
                    "kafka.topic.dead-letters", "varflow.dead-letters", "Topic for messages the job cannot process, with reasons");
    public static final ConfigOption KAFKA_GROUP_ID =
            ConfigOption.of("kafka.group-id", "varflow-job", "Consumer group id of the job's Kafka source");
    public static final ConfigOption KAFKA_TRANSACTIONAL_ID_PREFIX =
            ConfigOption.of(
                    "kafka.transactional-id-prefix",
                    "varflow",
                    "Prefix of the exactly-once sinks' transactional ids; unique per job on a cluster");
    public static final ConfigOption KAFKA_TRANSACTION_TIMEOUT =
            ConfigOption.of(
                    "kafka.transaction-timeout",
                    "10m",
                    "Kafka transaction timeout of the exactly-once sinks; must not exceed the broker's transaction.max.timeout.ms");
    public static final ConfigOption KAFKA_SECURITY_PROTOCOL =
            ConfigOption.of(
                    "kafka.security.protocol", "PLAINTEXT", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    public static final ConfigOption KAFKA_SASL_MECHANISM =
            ConfigOption.of("kafka.sasl.mechanism", "PLAIN", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
    public static final ConfigOption KAFKA_SASL_USERNAME =
            ConfigOption.of("kafka.sasl.username", null, "SASL user name");
    public static final ConfigOption KAFKA_SASL_PASSWORD =
            ConfigOption.secret("kafka.sasl.password", "SASL password (prefer the environment variable)");
    public static final ConfigOption KAFKA_SSL_TRUSTSTORE_LOCATION =
            ConfigOption.of("kafka.ssl.truststore.location", null, "Trust store (JKS/PKCS12) for TLS to the brokers");
    public static final ConfigOption KAFKA_SSL_TRUSTSTORE_PASSWORD =
            ConfigOption.secret("kafka.ssl.truststore.password", "Password of the Kafka trust store");
    public static final ConfigOption KAFKA_SSL_TRUSTSTORE_TYPE =
            ConfigOption.of("kafka.ssl.truststore.type", null, "JKS or PKCS12 (Kafka's default when unset)");

    // Object storage
    public static final ConfigOption S3_ENDPOINT =
            ConfigOption.of("s3.endpoint", "http://localhost:9000", "S3-compatible endpoint; https:// uses TLS");
    public static final ConfigOption S3_REGION = ConfigOption.of("s3.region", "us-east-1", "Region of the bucket");
    public static final ConfigOption S3_ACCESS_KEY = ConfigOption.of("s3.access-key", null, "Access key id");
    public static final ConfigOption S3_SECRET_KEY =
            ConfigOption.secret("s3.secret-key", "Secret access key (prefer the environment variable)");
    public static final ConfigOption S3_BUCKET = ConfigOption.of("s3.bucket", "varflow", "Bucket for images and token maps");
    public static final ConfigOption S3_PREFIX = ConfigOption.of("s3.prefix", "", "Key prefix inside the bucket");
    // Job
    public static final ConfigOption JOB_NAME = ConfigOption.of("job.name", "varflow", "Flink job name");
    public static final ConfigOption JOB_PARALLELISM =
            ConfigOption.of("job.parallelism", "1", "Parallelism of the job (sampling subtasks = GPUs)");
    public static final ConfigOption JOB_CHECKPOINT_INTERVAL =
            ConfigOption.of("job.checkpoint-interval", "10s", "Checkpoint interval; results are committed on checkpoints");
    public static final ConfigOption JOB_CHECKPOINT_DIR =
            ConfigOption.of("job.checkpoint-dir", null, "Checkpoint storage URI (file:///..., s3://...); none keeps them in memory");
    public static final ConfigOption JOB_RESTORE_FROM =
            ConfigOption.of("job.restore-from", null, "Checkpoint or savepoint path to resume from");

    // Batching and model
    public static final ConfigOption BATCH_MAX_IMAGES =
            ConfigOption.of("batch.max-images", "auto",
                    "Largest batch of images handed to the model; auto: the largest that fits the sampler's device"
                            + " memory (GPU: free memory less 10 %; CPU: batch.host-memory) by MemoryEstimate");
    public static final ConfigOption BATCH_HOST_MEMORY =
            ConfigOption.of("batch.host-memory", io.varflow.operators.catalog.BatchBudget.DEFAULT_HOST_BUDGET,
                    "Host memory a CPU sampler may use per model (weights plus batch) when batch.max-images is auto");
    public static final ConfigOption BATCH_FIXED_SHAPE =
            ConfigOption.of("batch.fixed-shape", "false",
                    "true: run the model on batches padded to batch.max-images, so an image's bytes do not depend"
                            + " on its batch (reproducible evaluation sets; ./varflow eval --embedded sets it)");
    public static final ConfigOption BATCH_MAX_WAIT =
            ConfigOption.of("batch.max-wait", "200ms", "Longest time an image waits for its batch to fill");
    public static final ConfigOption MODEL_NAME =
            ConfigOption.of("model.name", "tiny", "Name requests use for the served model (the default model)");
    public static final ConfigOption MODEL_VAE =
            ConfigOption.of("model.vae", null, "VQVAE checkpoint (.pth/.safetensors); unset serves the bundled tiny model");
    public static final ConfigOption MODEL_VAR = ConfigOption.of("model.var", null, "VAR checkpoint (.pth/.safetensors)");
    public static final ConfigOption MODEL_CONFIG =
            ConfigOption.of("model.config", null, "Model config.json or a preset name (d16, d20, d24, d30)");
    public static final ConfigOption MODEL_DEVICE = ConfigOption.of("model.device", "cpu", "cpu or gpu");
    public static final ConfigOption MODEL_DTYPE = ConfigOption.of("model.dtype", "fp32", "fp32, fp16 or bf16 (gpu only)");

    /** Prefix of Kafka client properties passed through unchanged. */
    public static final String KAFKA_PASSTHROUGH_PREFIX = "kafka.property.";

    private static final Map<String, ConfigOption> ALL = collect();

    /** Every declared option by key, in declaration order. */
    public static Map<String, ConfigOption> all() {
        return ALL;
    }

    private static Map<String, ConfigOption> collect() {
        Map<String, ConfigOption> options = new LinkedHashMap<>();
        List<Field> fields = new ArrayList<>(List.of(JobOptions.class.getDeclaredFields()));
        for (Field field : fields) {
            if (field.getType() == ConfigOption.class && Modifier.isStatic(field.getModifiers())) {
                try {
                    ConfigOption option = (ConfigOption) field.get(null);
                    options.put(option.key(), option);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableMap(options);
    }
}
