package io.varflow.pipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.pipeline.client.ObjectStoreProbe;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.RunSummary;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.job.FlinkSettings;
import io.varflow.pipeline.job.VarflowJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The varflow job, with the bundled tiny model, on a real multi-process Flink cluster: a JobManager
 * and two TaskManager JVMs, one sampling subtask on each. Requests keep arriving while one
 * TaskManager process is killed; a replacement joins, the job recovers from its last checkpoint,
 * and the real Kafka broker (read_committed) and S3 server show every request with all its objects
 * and exactly one ResultEvent.
 */
@Timeout(900)
class VarflowOnMultiProcessClusterITCase {

    private static final int REQUESTS = 16;
    private static final int IMAGES_PER_REQUEST = 2;
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Test
    void jobSpreadOverTwoTaskManagersSurvivesLosingOneWithNothingLostOrDoubled() throws Exception {
        Path dir = ClusterTestDirs.create("varflow");
        try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"));
                MultiProcessFlinkCluster cluster =
                        MultiProcessFlinkCluster.start(
                                dir.resolve("flink"), 2, 1, Map.of(), TIMEOUT)) {
            JobConfig config =
                    stack.jobConfig()
                            .with(JobOptions.JOB_PARALLELISM, 2)
                            .with(JobOptions.JOB_CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                            .with(
                                    JobOptions.JOB_CHECKPOINT_DIR,
                                    dir.resolve("checkpoints").toUri().toString())
                            .with(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX, "varflow-mp");
            Properties kafka = KafkaClientSettings.connection(config);

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.of(config));
            VarflowJob.build(env, config);
            JobID job = cluster.submit(env.getStreamGraph());

            try (OutcomeReader outcomes =
                            new OutcomeReader(
                                    kafka,
                                    config.get(JobOptions.TOPIC_RESULTS),
                                    config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                    true);
                    RequestProducer producer =
                            new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                cluster.awaitAllTasksRunning(job, TIMEOUT);
                assertThat(Set.copyOf(cluster.taskManagersRunning(job, "sample (VAR)")))
                        .as("the sampling subtasks run on both TaskManagers")
                        .hasSize(2);

                List<SubmittedRequest> submitted = new ArrayList<>();
                int sent = 0;
                // Up to half of them: wait until results are committed (so a checkpoint completed)
                // and both
                // TaskManagers have sampled images, then kill one.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                Map<String, Long> sampledPerTaskManager = Map.of();
                while ((outcomes.results().size() < 2 || !bothBusy(sampledPerTaskManager))
                        && System.nanoTime() < deadline) {
                    if (sent < REQUESTS / 2) {
                        submitted.addAll(renumber(producer.send(List.of(request(sent))), sent));
                        sent++;
                    }
                    outcomes.poll(Duration.ofMillis(200));
                    sampledPerTaskManager = cluster.recordsReadPerTaskManager(job, "sample (VAR)");
                }
                assertThat(outcomes.results())
                        .as("results committed before the kill")
                        .hasSizeGreaterThanOrEqualTo(2);
                assertThat(sampledPerTaskManager)
                        .as("batches sampled on each TaskManager")
                        .hasSize(2)
                        .allSatisfy((tm, records) -> assertThat(records).isPositive());
                cluster.liveTaskManagers().get(0).kill();
                cluster.startTaskManager();
                // The rest arrives while the job recovers.
                while (sent < REQUESTS) {
                    submitted.addAll(renumber(producer.send(List.of(request(sent))), sent));
                    sent++;
                    outcomes.poll(Duration.ofMillis(100));
                }

                assertThat(outcomes.awaitAll(submitted, TIMEOUT))
                        .as("every request has an outcome")
                        .isEmpty();
                outcomes.poll(Duration.ofSeconds(4)); // room for a duplicate to show up
                assertThat(cluster.failures(job))
                        .as("the job recovered from the lost TaskManager")
                        .isNotEmpty();

                assertThat(outcomes.deadLetters()).isEmpty();
                assertThat(outcomes.results()).hasSize(REQUESTS);
                List<JsonNode> events = new ArrayList<>();
                outcomes.results()
                        .forEach(
                                (id, list) -> {
                                    assertThat(list)
                                            .as("exactly one ResultEvent for %s", id)
                                            .hasSize(1);
                                    assertThat(list.get(0).path("status").asText())
                                            .isEqualTo("succeeded");
                                    assertThat(list.get(0).path("images"))
                                            .hasSize(IMAGES_PER_REQUEST);
                                    events.add(list.get(0));
                                });
                List<String> uris = RunSummary.objectUris(events);
                assertThat(uris).hasSize(REQUESTS * IMAGES_PER_REQUEST * 2).doesNotHaveDuplicates();
                try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
                    assertThat(probe.countExisting(uris))
                            .as("every named object is stored")
                            .isEqualTo(uris.size());
                }
                try (Stream<Path> stored = Files.walk(stack.bucketDir())) {
                    assertThat(stored.filter(Files::isRegularFile).count())
                            .as("objects in the bucket")
                            .isGreaterThanOrEqualTo(uris.size());
                }
                cluster.client().cancel(job).get();
            }
        }
    }

    private static boolean bothBusy(Map<String, Long> recordsPerTaskManager) {
        return recordsPerTaskManager.size() == 2
                && recordsPerTaskManager.values().stream().allMatch(n -> n > 0);
    }

    private static String request(int i) {
        return String.format(
                "{\"requestId\":\"mp-%02d\",\"classLabel\":%d,\"count\":%d,\"seed\":%d}",
                i, i % 10, IMAGES_PER_REQUEST, 100 + i);
    }

    private static List<SubmittedRequest> renumber(List<SubmittedRequest> one, int index) {
        SubmittedRequest s = one.get(0);
        return List.of(
                new SubmittedRequest(
                        index + 1, s.requestId(), s.topic(), s.partition(), s.offset()));
    }
}
