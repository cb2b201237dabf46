package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.pipeline.cli.VarflowCli;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** The start-up checks of {@code varflow job} against the real broker and S3 server. */
@Timeout(300)
class PreflightITCase {

    @RegisterExtension static final SharedStack STACK = new SharedStack();

    private static JobConfig missingEverything() {
        return STACK.get()
                .jobConfig()
                .with(JobOptions.TOPIC_REQUESTS, "pf.requests")
                .with(JobOptions.TOPIC_EDITS, "pf.edits")
                .with(JobOptions.TOPIC_RESULTS, "pf.results")
                .with(JobOptions.TOPIC_DEAD_LETTERS, "pf.dead-letters")
                .with(JobOptions.S3_BUCKET, "pf-bucket")
                .with(JobOptions.JOB_CREATE_MISSING, false);
    }

    @Test
    void eachMissingTopicAndTheBucketAreOneLineAndAreCreatedWhenAskedFor() throws Exception {
        JobConfig config = missingEverything();
        Preflight.Result checked = Preflight.run(config);
        assertThat(checked.problems()).hasSize(5);
        for (String topic : List.of("pf.requests", "pf.edits", "pf.results", "pf.dead-letters")) {
            assertThat(checked.problems())
                    .contains(
                            "Kafka topic "
                                    + topic
                                    + " does not exist on "
                                    + config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)
                                    + ": create it, or start with --create-missing");
        }
        assertThat(checked.problems())
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .startsWith(
                                                "The bucket pf-bucket at "
                                                        + config.get(JobOptions.S3_ENDPOINT)
                                                        + " does not exist"));

        // The CLI says the same, one line each, and does not start the job.
        StringWriter err = new StringWriter();
        CommandLine cli = VarflowCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int exit =
                cli.execute(
                        "job",
                        "--bootstrap-servers",
                        config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS),
                        "--s3-endpoint",
                        config.get(JobOptions.S3_ENDPOINT),
                        "--bucket",
                        "pf-bucket",
                        "--set",
                        "s3.access-key=" + config.get(JobOptions.S3_ACCESS_KEY),
                        "--set",
                        "s3.secret-key=" + config.get(JobOptions.S3_SECRET_KEY),
                        "--set",
                        "kafka.topic.requests=pf.requests",
                        "--set",
                        "kafka.topic.edits=pf.edits",
                        "--set",
                        "kafka.topic.results=pf.results",
                        "--set",
                        "kafka.topic.dead-letters=pf.dead-letters");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines())
                .hasSize(5)
                .allSatisfy(line -> assertThat(line).startsWith("varflow job: "));
        assertThat(err.toString()).doesNotContain(config.get(JobOptions.S3_SECRET_KEY));

        JobConfig create =
                config.with(JobOptions.JOB_CREATE_MISSING, true)
                        .with(JobOptions.KAFKA_TOPIC_PARTITIONS, 3)
                        .with(JobOptions.KAFKA_MAX_MESSAGE_BYTES, 2097152L);
        Preflight.Result created = Preflight.run(create);
        assertThat(created.problems()).isEmpty();
        assertThat(created.created())
                .hasSize(5)
                .contains(
                        "created Kafka topic pf.requests (3 partitions,"
                                + " max.message.bytes 2097152)");
        try (Admin admin =
                Admin.create(
                        java.util.Map.<String, Object>of(
                                "bootstrap.servers",
                                config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)))) {
            assertThat(
                            admin.describeTopics(List.of("pf.requests"))
                                    .allTopicNames()
                                    .get()
                                    .get("pf.requests")
                                    .partitions())
                    .hasSize(3);
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, "pf.results");
            assertThat(
                            admin.describeConfigs(List.of(results))
                                    .all()
                                    .get()
                                    .get(results)
                                    .get("max.message.bytes")
                                    .value())
                    .isEqualTo("2097152");
        }
        Path bucket = STACK.get().s3().root().resolve("pf-bucket");
        assertThat(bucket).isDirectory();
        try (var files = Files.list(bucket)) {
            assertThat(files).as("the write probe is removed again").isEmpty();
        }
        assertThat(Preflight.run(config).problems()).as("now everything is there").isEmpty();

        // A job that may write larger records than its output topics accept is stopped at the
        // start.
        JobConfig larger =
                config.with(JobOptions.KAFKA_MAX_MESSAGE_BYTES, 4194304L)
                        .with(JobOptions.KAFKA_MAX_REQUEST_SIZE, 4194304L);
        assertThat(Preflight.run(larger).problems())
                .hasSize(2)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .contains(
                                                "accepts records up to 2097152 bytes (max.message.bytes) but the job may write up to 4194304"));
    }

    @Test
    void unreachableBrokersAndStoreAreOneLineEach() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        JobConfig config =
                missingEverything()
                        .with(JobOptions.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:" + closedPort)
                        .with(JobOptions.S3_ENDPOINT, "http://127.0.0.1:" + closedPort);
        List<String> problems = Preflight.run(config).problems();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0))
                .startsWith("Kafka brokers 127.0.0.1:" + closedPort + " are not reachable: ");
        assertThat(problems.get(1))
                .startsWith("Object store http://127.0.0.1:" + closedPort + " is not reachable");
        assertThat(problems).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    }
}
