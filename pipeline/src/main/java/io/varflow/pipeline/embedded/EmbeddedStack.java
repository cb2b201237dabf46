package io.varflow.pipeline.embedded;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the job needs, on this machine and without Docker: a real Kafka broker (KRaft, child
 * JVM), a real S3-compatible server (S3Proxy, in this JVM) with the bucket created, and the
 * settings for a Flink MiniCluster (checkpoints every 2 s unless set, into a local folder, so a run
 * can resume). The job itself runs in a MiniCluster started by {@link
 * io.varflow.pipeline.job.JobRunner}.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.start(Path.of(".varflow/demo"))) {
 *     JobConfig config = stack.jobConfig();      // points at the broker, the server, the bucket
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the broker and the server and keeps the first failure. Objects and
 * checkpoints stay under the work folder.
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    static final String ACCESS_KEY = "varflow-local";

    /**
     * Partitions of the requests topic: more than one, so ordering across partitions is exercised.
     */
    static final int REQUEST_PARTITIONS = 2;

    /** Checkpoint interval unless a source sets one: results of a local run show up soon. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    private final Path workDir;
    private final Closer closer;
    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    private final JobConfig jobConfig;

    private EmbeddedStack(
            Path workDir, Closer closer, EmbeddedKafka kafka, EmbeddedS3 s3, JobConfig jobConfig) {
        this.workDir = workDir;
        this.closer = closer;
        this.kafka = kafka;
        this.s3 = s3;
        this.jobConfig = jobConfig;
    }

    /** Starts the stack with default settings (topics, bucket) under {@code workDir}. */
    public static EmbeddedStack start(Path workDir) throws IOException {
        return start(workDir, JobConfig.defaults());
    }

    /**
     * Starts the broker and the S3 server under {@code workDir} and creates the topics and bucket
     * named in {@code base}; the returned {@link #jobConfig()} is {@code base} pointed at them.
     */
    public static EmbeddedStack start(Path workDir, JobConfig base) throws IOException {
        Path dir = workDir.toAbsolutePath();
        Files.createDirectories(dir);
        Closer closer = new Closer();
        try {
            // S3 first: it starts in well under a second and the broker JVM takes several.
            String secret = UUID.randomUUID().toString();
            EmbeddedS3 s3 =
                    closer.register(EmbeddedS3.start(dir.resolve("s3"), ACCESS_KEY, secret));
            EmbeddedKafka kafka = closer.register(EmbeddedKafka.start(dir.resolve("kafka")));
            JobConfig config =
                    base.with(JobOptions.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers())
                            .with(JobOptions.KAFKA_SECURITY_PROTOCOL, "PLAINTEXT")
                            .with(JobOptions.S3_ENDPOINT, s3.endpoint())
                            .with(JobOptions.S3_ACCESS_KEY, ACCESS_KEY)
                            .with(JobOptions.S3_SECRET_KEY, secret)
                            .with(JobOptions.S3_REGION, "us-east-1")
                            .with(JobOptions.JOB_CREATE_MISSING, true)
                            .withDefault(
                                    JobOptions.JOB_CHECKPOINT_INTERVAL,
                                    CHECKPOINT_INTERVAL,
                                    "the embedded stack")
                            .with(
                                    JobOptions.JOB_CHECKPOINT_DIR,
                                    base.find(JobOptions.JOB_CHECKPOINT_DIR)
                                            .orElse(dir.resolve("checkpoints").toUri().toString()));
            Map<String, Integer> topics = new LinkedHashMap<>();
            topics.put(config.require(JobOptions.TOPIC_REQUESTS), REQUEST_PARTITIONS);
            topics.put(config.require(JobOptions.TOPIC_EDITS), 1);
            topics.put(config.require(JobOptions.TOPIC_RESULTS), 1);
            topics.put(config.require(JobOptions.TOPIC_DEAD_LETTERS), 1);
            kafka.createTopics(topics);
            createBucket(s3, config.require(JobOptions.S3_BUCKET));
            LOG.info("Embedded stack ready in {}", dir);
            return new EmbeddedStack(dir, closer, kafka, s3, config);
        } catch (IOException | RuntimeException e) {
            closeQuietly(closer, e);
            throw e;
        }
    }

    private static void createBucket(EmbeddedS3 s3, String bucket) throws IOException {
        MinioClient client =
                MinioClient.builder()
                        .endpoint(s3.endpoint())
                        .region("us-east-1")
                        .credentials(s3.accessKey(), s3.secretKey())
                        .build();
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (Exception e) {
            throw new IOException(
                    "could not create bucket " + bucket + " on the embedded S3 server", e);
        } finally {
            try {
                client.close();
            } catch (Exception ignored) {
                // Only releases the HTTP client's pool.
            }
        }
    }

    /** Settings pointing at this stack's broker, S3 server, bucket and checkpoint folder. */
    public JobConfig jobConfig() {
        return jobConfig;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    public Path workDir() {
        return workDir;
    }

    /** The folder holding the objects of {@code bucket}, as S3Proxy stores them. */
    public Path bucketDir() {
        return s3.root().resolve(jobConfig.get(JobOptions.S3_BUCKET));
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }

    private static void closeQuietly(Closer closer, Exception cause) {
        try {
            closer.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
