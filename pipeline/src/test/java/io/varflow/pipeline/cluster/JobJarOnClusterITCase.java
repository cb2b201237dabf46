package io.varflow.pipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar ({@code -Pjob-jar}) on a cluster that has nothing but Flink on its class path, the
 * way the Flink image runs it: the jar is uploaded with the job, and DJL loads a libtorch from
 * {@code PYTORCH_LIBRARY_PATH} with {@code PYTORCH_VERSION}/{@code PYTORCH_FLAVOR} set, exactly the
 * mechanism of deploy/Dockerfile (here with the CPU flavour). Runs only under {@code mvn -Pjob-jar
 * verify}, which builds the jar first and names it in {@code varflow.job.jar}.
 */
@Timeout(600)
class JobJarOnClusterITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Test
    void shadedJobJarRunsTheJobOnAFlinkOnlyClusterWithAnExternalLibtorch() throws Exception {
        String jarProperty = System.getProperty("varflow.job.jar");
        assumeTrue(
                jarProperty != null && Files.isRegularFile(Path.of(jarProperty)),
                "the job jar is built by mvn -Pjob-jar verify");
        Path jar = Path.of(jarProperty);
        Path dir = ClusterTestDirs.create("job-jar");
        Path libtorch = extractCpuLibtorch(dir.resolve("libtorch"));
        ChildJvm.Setup flinkImage =
                new ChildJvm.Setup(
                        FlinkDistClassPath.fromTestClassPath(),
                        Map.of(
                                "PYTORCH_LIBRARY_PATH",
                                libtorch.toString(),
                                "PYTORCH_VERSION",
                                "2.7.1",
                                "PYTORCH_FLAVOR",
                                "cpu",
                                "ENGINE_CACHE_DIR",
                                dir.resolve("djl-cache").toString()));

        try {
            runJob(jar, dir, flinkImage);
        } finally {
            // 450 MB of libtorch need not outlive the test; the logs under dir do.
            try (var files = Files.list(libtorch)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void runJob(Path jar, Path dir, ChildJvm.Setup flinkImage) throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"));
                MultiProcessFlinkCluster cluster =
                        MultiProcessFlinkCluster.start(
                                dir.resolve("flink"), 1, 1, Map.of(), flinkImage, TIMEOUT)) {
            JobConfig config =
                    stack.jobConfig()
                            .with(JobOptions.JOB_CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                            .with(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX, "varflow-jar");
            Properties kafka = KafkaClientSettings.connection(config);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.of(config));
            VarflowJob.build(env, config);
            JobID job = cluster.submit(env.getStreamGraph(), List.of(jar));

            try (OutcomeReader outcomes =
                            new OutcomeReader(
                                    kafka,
                                    config.get(JobOptions.TOPIC_RESULTS),
                                    config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                    true);
                    RequestProducer producer =
                            new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                cluster.awaitAllTasksRunning(job, TIMEOUT);
                List<SubmittedRequest> submitted =
                        producer.send(
                                List.of(
                                        "{\"requestId\":\"jar-1\",\"classLabel\":3,\"count\":2,\"seed\":1}",
                                        "{\"requestId\":\"jar-2\",\"classLabel\":7,\"count\":1,\"seed\":2}"));
                assertThat(outcomes.awaitAll(submitted, TIMEOUT))
                        .as("every request has an outcome")
                        .isEmpty();
                assertThat(outcomes.deadLetters()).isEmpty();
                List<JsonNode> events = new ArrayList<>();
                outcomes.results()
                        .forEach(
                                (id, list) -> {
                                    assertThat(list).hasSize(1);
                                    assertThat(list.get(0).path("status").asText())
                                            .isEqualTo("succeeded");
                                    events.add(list.get(0));
                                });
                List<String> uris = RunSummary.objectUris(events);
                assertThat(uris).hasSize(3 * 2);
                try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
                    assertThat(probe.countExisting(uris)).isEqualTo(uris.size());
                }
                assertThat(cluster.failures(job))
                        .as("no restarts: nothing was missing from the jar")
                        .isEmpty();
                cluster.client().cancel(job).get();
            }
        }
    }

    /** The CPU libtorch out of pytorch-native-cpu, laid out as the image's /opt/libtorch/lib. */
    private static Path extractCpuLibtorch(Path target) throws Exception {
        Files.createDirectories(target);
        Properties native_ = new Properties();
        try (InputStream in =
                JobJarOnClusterITCase.class.getResourceAsStream("/native/lib/pytorch.properties")) {
            assertThat(in).as("pytorch-native-cpu on the test class path").isNotNull();
            native_.load(in);
        }
        for (String library : native_.getProperty("libraries").split(",")) {
            try (InputStream in =
                    JobJarOnClusterITCase.class.getResourceAsStream(
                            "/pytorch/cpu/linux-x86_64/" + library.trim())) {
                assertThat(in).as(library).isNotNull();
                Files.copy(in, target.resolve(library.trim()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }
}
