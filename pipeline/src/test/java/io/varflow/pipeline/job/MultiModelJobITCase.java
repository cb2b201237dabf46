package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.ImageGenerator;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.config.ModelEntries;
import io.varflow.pipeline.embedded.EmbeddedStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two models in one job on the embedded stack (KRaft broker, S3Proxy, MiniCluster with two sampling
 * subtasks): the bundled tiny model as {@code tiny} on subtask 0 only and as {@code tiny-b}
 * (batches of at most 2) on both. Requests with mixed deadlines name either model or one the job
 * does not serve; each ends with exactly one outcome, from the model it named, and a subtask loads
 * only the models placed on it.
 */
@Timeout(600)
class MultiModelJobITCase {

    @TempDir static Path work;

    /** Which model each subtask loaded ({@code name@subtask}); the MiniCluster runs in this JVM. */
    static final Set<String> LOADED = ConcurrentHashMap.newKeySet();

    private static final List<String> REQUESTS =
            List.of(
                    "{\"requestId\":\"a-no-deadline\",\"classLabel\":1,\"count\":2,\"seed\":1}",
                    "{\"requestId\":\"a-too-late\",\"model\":\"tiny\",\"classLabel\":2,\"count\":2,"
                            + "\"deadline\":\"2001-01-01T00:00:00Z\"}",
                    "{\"requestId\":\"b-in-time\",\"model\":\"tiny-b\",\"classLabel\":3,\"count\":6,"
                            + "\"deadline\":\"2999-01-01T00:00:00Z\"}",
                    "{\"requestId\":\"b-too-late\",\"model\":\"tiny-b\",\"classLabel\":4,\"count\":1,"
                            + "\"deadline\":\"2001-01-01T00:00:00Z\"}",
                    "{\"requestId\":\"b-budget\",\"model\":\"tiny-b\",\"classLabel\":5,\"count\":1,\"priority\":\"interactive\","
                            + "\"timeBudgetMs\":600000}",
                    "{\"requestId\":\"a-budget\",\"model\":\"tiny\",\"classLabel\":6,\"count\":1,\"timeBudgetMs\":600000}",
                    "{\"requestId\":\"c-unknown\",\"model\":\"d30\",\"classLabel\":7,\"count\":1}");

    @Test
    void twoModelsWithMixedDeadlinesGiveEveryRequestExactlyOneOutcome() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(work)) {
            JobConfig config =
                    IsolatedTopics.on(stack, "multi")
                            .with(JobOptions.JOB_PARALLELISM, 2)
                            .with(
                                    JobOptions.MODELS,
                                    ModelEntries.parse(
                                            "name=tiny,subtasks=0;name=tiny-b,max-images=2"));
            VarflowJob.checkSettings(config);
            Properties kafka = KafkaClientSettings.connection(config);
            GeneratorFactory recording = new Recording(GeneratorFactories.from(config));
            List<SubmittedRequest> submitted;
            try (OutcomeReader outcomes =
                            new OutcomeReader(
                                    kafka,
                                    config.get(JobOptions.TOPIC_RESULTS),
                                    config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                    true);
                    JobRunner.LocalJob job = JobRunner.startLocal(config, recording)) {
                job.awaitRunning(Duration.ofSeconds(120));
                try (RequestProducer producer =
                        new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                    submitted = producer.send(REQUESTS);
                }
                assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4)))
                        .as("every request has an outcome")
                        .isEmpty();
                outcomes.poll(Duration.ofSeconds(3)); // room for a second outcome to show up

                Map<String, List<JsonNode>> results = outcomes.results();
                assertThat(results.keySet())
                        .containsExactlyInAnyOrder(
                                "a-no-deadline",
                                "a-too-late",
                                "b-in-time",
                                "b-too-late",
                                "b-budget",
                                "a-budget");
                results.forEach(
                        (id, events) -> {
                            assertThat(events).as("exactly one ResultEvent for %s", id).hasSize(1);
                            JsonNode event = events.get(0);
                            assertThat(event.path("model").asText())
                                    .as(id)
                                    .isEqualTo(id.startsWith("b-") ? "tiny-b" : "tiny");
                            assertThat(event.path("status").asText())
                                    .as(id)
                                    .isEqualTo(id.endsWith("too-late") ? "expired" : "succeeded");
                        });
                assertThat(results.get("b-in-time").get(0).path("images"))
                        .hasSize(6)
                        .allSatisfy(
                                image ->
                                        assertThat(image.path("imageUri").asText())
                                                .startsWith("s3://"));
                assertThat(outcomes.deadLettersRead())
                        .as("one dead letter, written once")
                        .isEqualTo(1);
                assertThat(outcomes.deadLetters().values())
                        .as("only the unknown model is refused")
                        .singleElement()
                        .satisfies(
                                letter -> {
                                    assertThat(letter.path("errorCode").asText())
                                            .isEqualTo("UNKNOWN_MODEL");
                                    assertThat(letter.path("requestId").asText())
                                            .isEqualTo("c-unknown");
                                });
                for (SubmittedRequest s : submitted) {
                    boolean result = s.requestId() != null && results.containsKey(s.requestId());
                    assertThat(result ^ outcomes.deadLetters().containsKey(s.coordinates()))
                            .as("%s has a result or a dead letter, not both", s.requestId())
                            .isTrue();
                }
            }
            assertThat(LOADED)
                    .as("tiny is placed on subtask 0 only; tiny-b's six images are dealt over both")
                    .containsExactlyInAnyOrder("tiny@0", "tiny-b@0", "tiny-b@1");
        }
    }

    /** The job's own factory, noting which model each subtask loads. */
    private record Recording(GeneratorFactory delegate) implements GeneratorFactory {
        @Override
        public ImageGenerator open(ModelSpec spec, int subtask) throws Exception {
            LOADED.add(spec.name() + "@" + subtask);
            return delegate.open(spec, subtask);
        }
    }
}
