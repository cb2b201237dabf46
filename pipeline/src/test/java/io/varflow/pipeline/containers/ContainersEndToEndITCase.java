package io.varflow.pipeline.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.embedded.EmbeddedRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The job against Kafka and MinIO in Docker containers, the way it runs against a real cluster
 * ({@code varflow job} settings, no embedded stack). Skipped where Docker is not available.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(600)
class ContainersEndToEndITCase {

    @Container static final KafkaContainer KAFKA = new KafkaContainer(DockerImages.KAFKA);

    @Container
    static final MinIOContainer MINIO =
            new MinIOContainer(DockerImages.MINIO)
                    .withUserName("varflow-user")
                    .withPassword("varflow-password");

    @TempDir Path checkpoints;

    @Test
    void requestsBecomeObjectsInMinioAndResultEventsInKafka() throws Exception {
        JobConfig config =
                JobConfig.builder()
                        .set(JobOptions.KAFKA_BOOTSTRAP_SERVERS, KAFKA.getBootstrapServers())
                        .set(JobOptions.S3_ENDPOINT, MINIO.getS3URL())
                        .set(JobOptions.S3_ACCESS_KEY, MINIO.getUserName())
                        .set(JobOptions.S3_SECRET_KEY, MINIO.getPassword())
                        .set(JobOptions.S3_BUCKET, "varflow-tc")
                        .set(JobOptions.JOB_CHECKPOINT_INTERVAL, java.time.Duration.ofSeconds(1))
                        .set(JobOptions.JOB_CHECKPOINT_DIR, checkpoints.toUri().toString())
                        .build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.getBootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(
                                            config.get(JobOptions.TOPIC_REQUESTS), 2, (short) 1),
                                    new NewTopic(
                                            config.get(JobOptions.TOPIC_RESULTS), 1, (short) 1),
                                    new NewTopic(
                                            config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                            1,
                                            (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        MinioClient minio =
                MinioClient.builder()
                        .endpoint(MINIO.getS3URL())
                        .credentials(MINIO.getUserName(), MINIO.getPassword())
                        .build();
        minio.makeBucket(MakeBucketArgs.builder().bucket("varflow-tc").build());

        List<String> messages =
                List.of(
                        "{\"requestId\":\"tc-1\",\"classLabel\":1,\"count\":2,\"seed\":5}",
                        "{\"requestId\":\"tc-2\",\"labels\":[3,4],\"seed\":6}",
                        "{\"requestId\":\"tc-bad\",\"count\":-1}");
        EmbeddedRun.Outcome outcome = EmbeddedRun.run(config, messages, Duration.ofMinutes(5));

        assertThat(outcome.unaccounted()).isEmpty();
        assertThat(outcome.summary().completed()).isEqualTo(2);
        assertThat(outcome.summary().deadLettered()).isEqualTo(1);
        assertThat(outcome.summary().images()).isEqualTo(4);
        assertThat(outcome.summary().objects())
                .as("a PNG and a token map per image, in MinIO")
                .isEqualTo(8);
        assertThat(outcome.results().values()).allSatisfy(events -> assertThat(events).hasSize(1));
    }
}
