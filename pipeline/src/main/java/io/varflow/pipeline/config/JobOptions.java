package io.varflow.pipeline.config;

import static io.varflow.pipeline.config.Setting.atLeast;
import static io.varflow.pipeline.config.Setting.between;
import static io.varflow.pipeline.config.Setting.notBlank;
import static io.varflow.pipeline.config.Setting.positive;

import io.varflow.model.RuntimeOptions;
import io.varflow.operators.GenerationFlow;
import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.catalog.BatchBudget;
import io.varflow.operators.edit.EditLimits;
import io.varflow.operators.messages.OutputLimits;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.validate.RequestLimits;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting of the varflow job, declared once. Each declaration is the only place its key,
 * type, default, check, description, secret flag and command line flag are written; {@link
 * JobConfig} parses and checks it from a settings file, {@code VARFLOW_*} variables, {@code --set}
 * and its flag; {@code --list-settings}, {@code --print-config} and the table in {@code
 * docs/operations.md} are derived from it ({@code SettingsDocTest} fails when the table differs,
 * and {@code SettingsDeclaredOnceTest} when a key or variable is written anywhere else in the
 * code).
 *
 * <p>Adding a setting is one declaration here (a {@code public static final Setting} field; the
 * order of the fields is the order of the docs), then reading it where it is used with {@code
 * config.get(JobOptions.NEW_SETTING)}, and regenerating the docs table: {@code SettingsDocTest}
 * prints the new table and writes it to {@code pipeline/target/settings-table.md}. Defaults owned
 * by an operator or the model (a {@code DEFAULTS} record) are taken from there, not copied.
 *
 * <p>Kafka client settings not declared here pass through with the prefix {@code kafka.property.}
 * (e.g. {@code kafka.property.ssl.endpoint.identification.algorithm=}).
 */
public final class JobOptions {

    private JobOptions() {}

    // Kafka
    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS =
            Setting.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .check(notBlank())
                    .flag("--bootstrap-servers")
                    .description("Kafka bootstrap servers, host:port[,host:port]");
    public static final Setting<String> TOPIC_REQUESTS =
            Setting.key("kafka.topic.requests")
                    .stringType()
                    .defaultValue("varflow.requests")
                    .check(notBlank())
                    .description("Topic the job reads generation requests from");
    public static final Setting<String> TOPIC_EDITS =
            Setting.key("kafka.topic.edits")
                    .stringType()
                    .defaultValue("varflow.edits")
                    .check(notBlank())
                    .description(
                            "Topic the job reads edit requests from (schemas/edit-request.schema.json)");
    public static final Setting<String> TOPIC_RESULTS =
            Setting.key("kafka.topic.results")
                    .stringType()
                    .defaultValue("varflow.results")
                    .check(notBlank())
                    .description("Topic the job writes one ResultEvent per request to");
    public static final Setting<String> TOPIC_DEAD_LETTERS =
            Setting.key("kafka.topic.dead-letters")
                    .stringType()
                    .defaultValue("varflow.dead-letters")
                    .check(notBlank())
                    .description("Topic for messages the job cannot process, with reasons");
    public static final Setting<String> KAFKA_GROUP_ID =
            Setting.key("kafka.group-id")
                    .stringType()
                    .defaultValue("varflow-job")
                    .check(notBlank())
                    .description("Consumer group id of the job's Kafka source");
    public static final Setting<String> KAFKA_TRANSACTIONAL_ID_PREFIX =
            Setting.key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("varflow")
                    .check(notBlank())
                    .description(
                            "Prefix of the exactly-once sinks' transactional ids; unique per job on a cluster");
    public static final Setting<Duration> KAFKA_TRANSACTION_TIMEOUT =
            Setting.key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .check(positive())
                    .description(
                            "Kafka transaction timeout of the exactly-once sinks; must not exceed the broker's"
                                    + " transaction.max.timeout.ms");
    public static final Setting<String> KAFKA_SECURITY_PROTOCOL =
            Setting.key("kafka.security.protocol")
                    .type(SettingType.oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"))
                    .defaultValue("PLAINTEXT")
                    .description("How the job reaches the brokers");
    public static final Setting<String> KAFKA_SASL_MECHANISM =
            Setting.key("kafka.sasl.mechanism")
                    .stringType()
                    .defaultValue("PLAIN")
                    .check(notBlank())
                    .description(
                            "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (others need"
                                    + " kafka.property.sasl.jaas.config)");
    public static final Setting<String> KAFKA_SASL_USERNAME =
            Setting.key("kafka.sasl.username").stringType().description("SASL user name");
    public static final Setting<String> KAFKA_SASL_PASSWORD =
            Setting.key("kafka.sasl.password")
                    .stringType()
                    .secret()
                    .description("SASL password (prefer the environment variable)");
    public static final Setting<String> KAFKA_SSL_TRUSTSTORE_LOCATION =
            Setting.key("kafka.ssl.truststore.location")
                    .stringType()
                    .description("Trust store (JKS/PKCS12) for TLS to the brokers");
    public static final Setting<String> KAFKA_SSL_TRUSTSTORE_PASSWORD =
            Setting.key("kafka.ssl.truststore.password")
                    .stringType()
                    .secret()
                    .description("Password of the Kafka trust store");
    public static final Setting<String> KAFKA_SSL_TRUSTSTORE_TYPE =
            Setting.key("kafka.ssl.truststore.type")
                    .stringType()
                    .description("JKS or PKCS12 (Kafka's default when unset)");

    // Kafka sizes and offsets
    public static final Setting<Long> KAFKA_MAX_REQUEST_SIZE =
            Setting.key("kafka.max-request-size")
                    .bytesType()
                    .defaultValue(1L << 20)
                    .check(intBytes())
                    .description(
                            "Producer max.request.size of the result and dead-letter sinks; the job keeps every record"
                                    + " it writes below this and kafka.max-message-bytes");
    public static final Setting<Long> KAFKA_MAX_MESSAGE_BYTES =
            Setting.key("kafka.max-message-bytes")
                    .bytesType()
                    .defaultValue(1L << 20)
                    .check(intBytes())
                    .description(
                            "max.message.bytes of topics the job creates, and the largest record it writes");
    public static final Setting<Long> KAFKA_FETCH_MAX_BYTES =
            Setting.key("kafka.fetch-max-bytes")
                    .bytesType()
                    .defaultValue(50L << 20)
                    .check(intBytes())
                    .description("Consumer fetch.max.bytes of the job's sources");
    public static final Setting<Long> KAFKA_MAX_PARTITION_FETCH_BYTES =
            Setting.key("kafka.max-partition-fetch-bytes")
                    .bytesType()
                    .defaultValue(1L << 20)
                    .check(intBytes())
                    .description(
                            "Consumer max.partition.fetch.bytes of the job's sources; larger records are still"
                                    + " read, one at a time");
    public static final Setting<Integer> KAFKA_TOPIC_PARTITIONS =
            Setting.key("kafka.topic-partitions")
                    .intType()
                    .defaultValue(1)
                    .check(atLeast(1))
                    .description("Partitions of topics the job creates (job.create-missing)");
    public static final Setting<String> KAFKA_START_OFFSETS =
            Setting.key("kafka.start-offsets")
                    .stringType()
                    .description(
                            "Last resort to skip a message: topic:partition=offset[,...] to start from when the job"
                                    + " starts without job.restore-from; other partitions start from the group's committed offsets");

    // Object storage
    public static final Setting<String> S3_ENDPOINT =
            Setting.key("s3.endpoint")
                    .stringType()
                    .defaultValue("http://localhost:9000")
                    .check(notBlank())
                    .flag("--s3-endpoint")
                    .description("S3-compatible endpoint; https:// uses TLS");
    public static final Setting<String> S3_REGION =
            Setting.key("s3.region")
                    .stringType()
                    .defaultValue("us-east-1")
                    .check(notBlank())
                    .description("Region of the bucket");
    public static final Setting<String> S3_ACCESS_KEY =
            Setting.key("s3.access-key").stringType().description("Access key id");
    public static final Setting<String> S3_SECRET_KEY =
            Setting.key("s3.secret-key")
                    .stringType()
                    .secret()
                    .description("Secret access key (prefer the environment variable)");
    public static final Setting<String> S3_BUCKET =
            Setting.key("s3.bucket")
                    .stringType()
                    .defaultValue("varflow")
                    .check(notBlank())
                    .flag("--bucket")
                    .description("Bucket for images and token maps");
    public static final Setting<String> S3_PREFIX =
            Setting.key("s3.prefix")
                    .stringType()
                    .defaultValue("")
                    .description("Key prefix inside the bucket");

    // Job
    public static final Setting<String> JOB_NAME =
            Setting.key("job.name")
                    .stringType()
                    .defaultValue("varflow")
                    .check(notBlank())
                    .description("Flink job name");
    public static final Setting<Integer> JOB_PARALLELISM =
            Setting.key("job.parallelism")
                    .intType()
                    .defaultValue(1)
                    .check(atLeast(1))
                    .flag("--parallelism")
                    .description("Parallelism of the job (sampling subtasks = GPUs)");
    public static final Setting<Duration> JOB_CHECKPOINT_INTERVAL =
            Setting.key("job.checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .check(positive())
                    .description(
                            "Checkpoint interval; exactly-once results become visible on checkpoints");
    public static final Setting<String> JOB_CHECKPOINT_DIR =
            Setting.key("job.checkpoint-dir")
                    .stringType()
                    .description(
                            "Checkpoint storage URI (file:///..., s3://...); none keeps them in memory");
    public static final Setting<String> JOB_RESTORE_FROM =
            Setting.key("job.restore-from")
                    .stringType()
                    .description("Checkpoint (chk-N) or savepoint path to resume from");
    public static final Setting<String> JOB_RESULT_DELIVERY =
            Setting.key("job.result-delivery")
                    .type(SettingType.oneOf("exactly-once", "at-least-once"))
                    .defaultValue("exactly-once")
                    .description(
                            "exactly-once: results and dead letters become visible to read_committed readers when the"
                                    + " next checkpoint completes; at-least-once: visible at once, a restart may repeat some"
                                    + " (deduplicate by requestId)");
    public static final Setting<String> JOB_LOCAL_BIND_HOST =
            Setting.key("job.local-bind-host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .check(notBlank())
                    .description(
                            "Address every listener of a Flink started in the varflow process (demo, run --embedded,"
                                    + " job without a cluster) binds: RPC, BLOB, REST, data exchange; 0.0.0.0 exposes them");
    public static final Setting<Boolean> JOB_CREATE_MISSING =
            Setting.key("job.create-missing")
                    .booleanType()
                    .defaultValue(false)
                    .flag("--create-missing")
                    .description(
                            "true: at start, create missing topics (kafka.topic-partitions, kafka.max-message-bytes) and"
                                    + " the bucket; false: report them missing and stop");
    public static final Setting<String> JOB_RESTART_STRATEGY =
            Setting.key("job.restart-strategy")
                    .type(SettingType.oneOf("exponential-delay", "none"))
                    .defaultValue("exponential-delay")
                    .description(
                            "exponential-delay (restart failed tasks with growing pauses, reset after a healthy"
                                    + " period) or none (fail at the first task failure)");
    public static final Setting<Duration> JOB_RESTART_INITIAL_BACKOFF =
            Setting.key("job.restart.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .check(positive())
                    .description("Pause before the first restart after a failure");
    public static final Setting<Duration> JOB_RESTART_MAX_BACKOFF =
            Setting.key("job.restart.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .check(positive())
                    .description(
                            "Longest pause between restarts (the pause doubles; at least job.restart.initial-backoff)");
    public static final Setting<Duration> JOB_RESTART_RESET_AFTER =
            Setting.key("job.restart.reset-after")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .check(positive())
                    .description(
                            "Running this long without a failure resets the pause to job.restart.initial-backoff");
    public static final Setting<Integer> JOB_RESTART_MAX_ATTEMPTS =
            Setting.key("job.restart.max-attempts")
                    .intType()
                    .defaultValue(20)
                    .check(atLeast(1))
                    .description(
                            "Restarts in a row (without a healthy period between) before the job gives up");

    // Requests, edits and what the job writes
    public static final Setting<Duration> REQUESTS_COMPLETED_TTL =
            Setting.key("requests.completed-ttl")
                    .durationType()
                    .defaultValue(GenerationFlow.DEFAULT_COMPLETED_TTL)
                    .check(positive())
                    .description(
                            "How long a completed requestId is remembered, so repeats are dropped instead of drawn again");
    public static final Setting<Long> REQUESTS_MAX_MESSAGE_BYTES =
            Setting.key("requests.max-message-bytes")
                    .bytesType()
                    .defaultValue((long) RequestLimits.DEFAULTS.maxMessageBytes())
                    .check(intBytes())
                    .description(
                            "Largest generation request message; larger ones become MESSAGE_TOO_LARGE dead letters"
                                    + " without being parsed");
    public static final Setting<Integer> REQUESTS_MAX_IMAGES =
            Setting.key("requests.max-images")
                    .intType()
                    .defaultValue(RequestLimits.DEFAULTS.maxImagesPerRequest())
                    .check(between(1, RequestLimits.SCHEMA_MAX_IMAGES))
                    .description(
                            "Most images (count or labels) one generation request may ask for");
    public static final Setting<Long> EDITS_MAX_MESSAGE_BYTES =
            Setting.key("edits.max-message-bytes")
                    .bytesType()
                    .defaultValue((long) EditLimits.DEFAULTS.maxMessageBytes())
                    .check(intBytes())
                    .description(
                            "Largest edit request message (inline PNGs included); larger ones become"
                                    + " MESSAGE_TOO_LARGE dead letters without being parsed");
    public static final Setting<Integer> EDITS_MAX_VARIANTS =
            Setting.key("edits.max-variants")
                    .intType()
                    .defaultValue(EditLimits.DEFAULTS.maxVariants())
                    .check(atLeast(1))
                    .description("Most results (count) one edit may ask for");
    public static final Setting<Long> EDITS_MAX_INLINE_BYTES =
            Setting.key("edits.max-inline-bytes")
                    .bytesType()
                    .defaultValue((long) EditLimits.DEFAULTS.maxInlineBytes())
                    .check(intBytes(1))
                    .description("Largest decoded pngBase64 source or mask of an edit");
    public static final Setting<Long> EDITS_MAX_OBJECT_BYTES =
            Setting.key("edits.max-object-bytes")
                    .bytesType()
                    .defaultValue(EditLimits.DEFAULTS.maxObjectBytes())
                    .check(Setting.atLeastBytes(1))
                    .description(
                            "Largest source or mask object an edit may fetch from the object store");
    public static final Setting<Long> DEAD_LETTER_MAX_ORIGINAL_BYTES =
            Setting.key("dead-letter.max-original-bytes")
                    .bytesType()
                    .defaultValue((long) OutputLimits.DEFAULTS.maxOriginalBytes())
                    .check(intBytes(0))
                    .description(
                            "Longest prefix of a refused message copied into its dead letter (size and SHA-256 are"
                                    + " always of the whole message)");
    public static final Setting<Boolean> DEAD_LETTER_ARCHIVE_ORIGINALS =
            Setting.key("dead-letter.archive-originals")
                    .booleanType()
                    .defaultValue(false)
                    .description(
                            "true: a refused message longer than dead-letter.max-original-bytes is also stored whole in"
                                    + " the bucket under <s3.prefix>/dead-letters/ and its dead letter names the object");
    public static final Setting<Integer> RESULTS_MAX_LISTED_IMAGES =
            Setting.key("results.max-listed-images")
                    .intType()
                    .defaultValue(OutputLimits.DEFAULTS.maxListedImages())
                    .check(atLeast(1))
                    .description(
                            "Most images one ResultEvent lists; a larger request's event lists the first ones, counts"
                                    + " the rest in imagesOmitted and names the folder holding them all (objectsUri)");

    // Batching and model
    public static final Setting<BatchSize> BATCH_MAX_IMAGES =
            Setting.key("batch.max-images")
                    .type(SettingType.BATCH_SIZE)
                    .defaultValue(BatchSize.AUTO)
                    .flag("--max-batch")
                    .description(
                            "Largest batch of images handed to the model; auto: the largest that fits the sampler's"
                                    + " device memory (GPU: free memory less 10 %; CPU: batch.host-memory) by MemoryEstimate");
    public static final Setting<Long> BATCH_HOST_MEMORY =
            Setting.key("batch.host-memory")
                    .bytesType()
                    .defaultValue(
                            BatchBudget.parseBytes(
                                    "batch.host-memory", BatchBudget.DEFAULT_HOST_BUDGET))
                    .check(Setting.atLeastBytes(1))
                    .description(
                            "Host memory a CPU sampler may use per model (weights plus batch) when batch.max-images"
                                    + " is auto");
    public static final Setting<Boolean> BATCH_FIXED_SHAPE =
            Setting.key("batch.fixed-shape")
                    .booleanType()
                    .defaultValue(false)
                    .description(
                            "true: run the model on batches padded to batch.max-images, so an image's bytes do not"
                                    + " depend on its batch (reproducible evaluation sets; ./varflow eval --embedded sets it)");
    public static final Setting<Duration> BATCH_MAX_WAIT =
            Setting.key("batch.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(BatchingOptions.DEFAULTS.maxDelayMs()))
                    .check(Setting.notNegative())
                    .description("Longest time an image waits for its batch to fill");
    public static final Setting<Integer> BATCH_PRIORITY_LOOKAHEAD =
            Setting.key("batch.priority-lookahead")
                    .intType()
                    .defaultValue(BatchingOptions.DEFAULTS.priorityLookahead())
                    .check(between(1, 16))
                    .description(
                            "Batches' worth of queued images an interactive request may overtake, plus one;"
                                    + " 1 is first-in-first-out");
    public static final Setting<String> MODEL_NAME =
            Setting.key("model.name")
                    .stringType()
                    .defaultValue("tiny")
                    .check(notBlank())
                    .flag("--model-name")
                    .description("Name requests use for the served model (the default model)");
    public static final Setting<String> MODEL_VAE =
            Setting.key("model.vae")
                    .stringType()
                    .flag("--vae")
                    .description(
                            "VQVAE checkpoint (.pth/.safetensors, a path or s3:// URI); unset serves the bundled"
                                    + " tiny model");
    public static final Setting<String> MODEL_VAR =
            Setting.key("model.var")
                    .stringType()
                    .flag("--var")
                    .description("VAR checkpoint (.pth/.safetensors); goes with model.vae");
    public static final Setting<String> MODEL_CONFIG =
            Setting.key("model.config")
                    .stringType()
                    .flag("--config")
                    .description(
                            "Model config.json or a preset name (d16, d20, d24, d30); required with checkpoints");
    public static final Setting<RuntimeOptions.Device> MODEL_DEVICE =
            Setting.key("model.device")
                    .type(SettingType.lowerCaseEnum(RuntimeOptions.Device.class))
                    .defaultValue(RuntimeOptions.Device.CPU)
                    .flag("--device")
                    .description("Where the model runs");
    public static final Setting<RuntimeOptions.Precision> MODEL_DTYPE =
            Setting.key("model.dtype")
                    .type(SettingType.lowerCaseEnum(RuntimeOptions.Precision.class))
                    .defaultValue(RuntimeOptions.Precision.FP32)
                    .flag("--dtype")
                    .description("Precision of the model; fp16 and bf16 need model.device gpu");

    public static final Setting<ModelEntries> MODELS =
            Setting.key("models")
                    .type(SettingType.MODEL_LIST)
                    .description(
                            "Several models served side by side, instead of model.name/.vae/.var/.config:"
                                    + " name=N[,config=C,vae=V,var=R,device=D,dtype=P,max-images=M,subtasks=0-1+3][;name=...]"
                                    + " (a list of such mappings in YAML); the first is the default; unset fields take model.device,"
                                    + " model.dtype, batch.max-images; subtasks (all when unset) are the sampling subtasks that load"
                                    + " and serve the model; without checkpoints an entry serves the bundled tiny model");

    // Store
    public static final Setting<Integer> STORE_MAX_RETRIES =
            Setting.key("store.max-retries")
                    .intType()
                    .check(atLeast(0))
                    .description(
                            "Most retries of an image's store after a failed attempt; unset: no count limit, retries"
                                    + " stop only at store.timeout");
    public static final Setting<Duration> STORE_INITIAL_BACKOFF =
            Setting.key("store.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(StoreRetryOptions.DEFAULTS.initialBackoffMs()))
                    .check(positive())
                    .description(
                            "Wait before the first retry (jittered); doubles on each further one");
    public static final Setting<Duration> STORE_MAX_BACKOFF =
            Setting.key("store.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(StoreRetryOptions.DEFAULTS.maxBackoffMs()))
                    .check(positive())
                    .description("Longest wait between retries (at least store.initial-backoff)");
    public static final Setting<Duration> STORE_TIMEOUT =
            Setting.key("store.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(StoreRetryOptions.DEFAULTS.timeoutMs()))
                    .check(positive())
                    .description(
                            "Time allowed for an image's store, retries included: an outage is ridden out in place"
                                    + " up to this, then the job fails and restarts from its last checkpoint");
    public static final Setting<Integer> STORE_MAX_IN_FLIGHT =
            Setting.key("store.max-in-flight")
                    .intType()
                    .defaultValue(StoreRetryOptions.DEFAULTS.capacity())
                    .check(atLeast(1))
                    .description(
                            "Images being stored at once per subtask; the rest of the job waits behind them");

    /** Prefix of Kafka client properties passed through unchanged. */
    public static final String KAFKA_PASSTHROUGH_PREFIX = "kafka.property.";

    private static final Map<String, Setting<?>> ALL = collect();

    /** Every declared setting by key, in declaration order. */
    public static Map<String, Setting<?>> all() {
        return ALL;
    }

    /** Message sizes are held in an int by the validators; at least 256 bytes. */
    private static Setting.Check<Long> intBytes() {
        return intBytes(256);
    }

    private static Setting.Check<Long> intBytes(long min) {
        return new Setting.Check<>(
                v -> v >= min && v <= Integer.MAX_VALUE, "between " + min + " bytes and 2gb");
    }

    private static Map<String, Setting<?>> collect() {
        Map<String, Setting<?>> settings = new LinkedHashMap<>();
        for (Field field : JobOptions.class.getDeclaredFields()) {
            if (field.getType() == Setting.class && Modifier.isStatic(field.getModifiers())) {
                try {
                    Setting<?> setting = (Setting<?>) field.get(null);
                    if (settings.put(setting.key(), setting) != null) {
                        throw new IllegalStateException(
                                "setting " + setting.key() + " is declared twice");
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableMap(settings);
    }
}
