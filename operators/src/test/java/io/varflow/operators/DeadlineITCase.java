package io.varflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.sample.VarModelFactory;
import io.varflow.operators.testutil.S3ProxyServer;
import io.varflow.operators.validate.RequestSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests with mixed deadlines for two models served side by side, through the whole flow
 * (MiniCluster, the REAL bundled tiny model under two names with different batch limits, S3
 * server): every request ends with exactly one outcome from the model it named, and a request whose
 * deadline had passed costs no model work and ends {@code expired}.
 */
class DeadlineITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final List<String> REQUESTS =
            List.of(
                    "{\"requestId\":\"too-late\",\"classLabel\":1,\"count\":3,\"deadline\":\"2001-01-01T00:00:00Z\"}",
                    "{\"requestId\":\"edit-like\",\"classLabel\":2,\"count\":2,\"priority\":\"interactive\","
                            + "\"timeBudgetMs\":600000}",
                    "{\"requestId\":\"in-an-hour\",\"model\":\"tiny-b\",\"classLabel\":3,\"count\":3,"
                            + "\"deadline\":\"2999-01-01T00:00:00+02:00\"}",
                    "{\"requestId\":\"b-too-late\",\"model\":\"tiny-b\",\"classLabel\":5,\"count\":1,"
                            + "\"deadline\":\"2001-01-01T00:00:00Z\"}",
                    "{\"requestId\":\"no-deadline\",\"classLabel\":4,\"count\":1}",
                    "{\"requestId\":\"both\",\"classLabel\":4,\"count\":1,\"timeBudgetMs\":5,"
                            + "\"deadline\":\"2999-01-01T00:00:00Z\"}");

    @Test
    void everyRequestEndsOnceAndOneWhoseDeadlinePassedCostsNoModelWork() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            s3.createBucket("deadlines");
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            List<RawRecord> raw = new ArrayList<>();
            for (int i = 0; i < REQUESTS.size(); i++) {
                raw.add(
                        new RawRecord(
                                REQUESTS.get(i).getBytes(StandardCharsets.UTF_8),
                                "requests",
                                0,
                                i,
                                1000 + i));
            }
            GenerationFlow.Outputs out =
                    GenerationFlow.builder()
                            .setCatalog(
                                    ModelCatalog.of(
                                            List.of(
                                                    ModelSpec.tiny(4),
                                                    new ModelSpec(
                                                            "tiny-b",
                                                            ModelSpec.BUNDLED_TINY,
                                                            null,
                                                            null,
                                                            10,
                                                            64,
                                                            List.of(1, 2, 3, 4),
                                                            2))))
                            .setGeneratorFactory(VarModelFactory.cpu())
                            .setObjectStore(s3.config("deadlines", "varflow"))
                            .optBatching(new BatchingOptions(100, 2))
                            .optSamplingParallelism(2)
                            .build()
                            .apply(
                                    env.fromData(raw, TypeInformation.of(RawRecord.class))
                                            .setParallelism(1));
            CloseableIterator<ResultEvent> results = out.results().collectAsync();
            CloseableIterator<DeadLetter> deadLetters = out.deadLetters().collectAsync();
            JobID job = env.execute("deadlines").getJobID();
            List<ResultEvent> events = new ArrayList<>();
            results.forEachRemaining(events::add);
            List<DeadLetter> letters = new ArrayList<>();
            deadLetters.forEachRemaining(letters::add);

            assertThat(events)
                    .extracting(ResultEvent::requestId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrder(
                            "too-late", "edit-like", "in-an-hour", "no-deadline", "b-too-late");
            assertThat(letters)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMETER);
                                assertThat(d.reason()).contains("not both");
                            });
            Map<String, ResultEvent> byId =
                    events.stream()
                            .collect(Collectors.toMap(ResultEvent::requestId, Function.identity()));
            ResultEvent late = byId.get("too-late");
            assertThat(late.status()).isEqualTo(ResultEvent.Status.EXPIRED);
            assertThat(late.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
            assertThat(late.images())
                    .hasSize(3)
                    .allSatisfy(
                            image -> {
                                assertThat(image.imageUri()).isNull();
                                assertThat(image.error()).startsWith("deadline exceeded: ");
                            });
            assertThat(RequestSchema.load(RequestSchema.RESULT).problems(Messages.toJson(late)))
                    .isEmpty();
            assertThat(byId.get("b-too-late").status()).isEqualTo(ResultEvent.Status.EXPIRED);
            for (String id : List.of("edit-like", "in-an-hour", "no-deadline")) {
                assertThat(byId.get(id).status()).as(id).isEqualTo(ResultEvent.Status.SUCCEEDED);
            }
            assertThat(byId)
                    .allSatisfy(
                            (id, event) ->
                                    assertThat(event.model())
                                            .as(id)
                                            .isEqualTo(
                                                    id.startsWith("b-") || id.equals("in-an-hour")
                                                            ? "tiny-b"
                                                            : "tiny"));
            assertThat(counted(job, "imagesGenerated"))
                    .as("the expired requests' images never ran")
                    .isEqualTo(6);
            assertThat(counted(job, "expiredImages")).isEqualTo(4);
            assertThat(counted(job, "requestsExpired")).isEqualTo(2);
            assertThat(s3.keys("deadlines")).noneMatch(key -> key.contains("too-late"));
        }
    }

    private static long counted(JobID job, String name) {
        long[] sum = {0};
        METRICS.getMetricsByGroup()
                .forEach(
                        (group, byName) -> {
                            String[] scope = group.getScopeComponents();
                            if (scope.length > 0
                                    && scope[scope.length - 1].equals("varflow")
                                    && job.toString()
                                            .equals(group.getAllVariables().get("<job_id>"))
                                    && byName.get(name) instanceof Counter c) {
                                sum[0] += c.getCount();
                            }
                        });
        return sum[0];
    }
}
