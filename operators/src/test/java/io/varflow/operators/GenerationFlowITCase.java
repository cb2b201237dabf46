package io.varflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.TaskSeeds;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.sample.VarModelFactory;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.testutil.S3ProxyServer;
import io.varflow.operators.validate.RequestLimits;
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
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole operator flow on a Flink MiniCluster with the REAL tiny model and a REAL S3 server: raw
 * request bytes -> validate -> expand -> batch -> sample -> store -> results, plus dead letters.
 */
class GenerationFlowITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start();
        s3.createBucket("batched");
        s3.createBucket("single");
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    private static final List<String> REQUESTS =
            List.of(
                    "{\"requestId\":\"three-cats\",\"classLabel\":3,\"count\":3,\"seed\":42}",
                    "{\"requestId\":\"mixed\",\"labels\":[1,2],\"seed\":7,\"cfg\":4,\"topK\":1}",
                    "not json at all",
                    "{\"requestId\":\"fast.1\",\"classLabel\":9,\"count\":2,\"priority\":\"interactive\","
                            + "\"outputs\":[\"tokenMaps\"],\"outputPrefix\":\"evals/run-1\"}",
                    "{\"requestId\":\"x\",\"classLabel\":1,\"count\":1,\"model\":\"d30\"}",
                    "{\"requestId\":\"y\",\"classLabel\":10,\"count\":1}",
                    "{\"requestId\":\"../escape\",\"classLabel\":1,\"count\":1}",
                    "{\"requestId\":\"greedy\",\"classLabel\":1,\"count\":500}",
                    "{\"requestId\":\"three-cats\",\"classLabel\":3,\"count\":3,\"seed\":42}");

    private record Run(
            Map<String, ResultEvent> results, List<DeadLetter> deadLetters, JobID jobId) {}

    private static Run run(int maxBatch, String bucket) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
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
                        .setCatalog(ModelCatalog.of(List.of(ModelSpec.tiny(maxBatch))))
                        .setGeneratorFactory(VarModelFactory.cpu())
                        .setObjectStore(s3.config(bucket, "varflow"))
                        .optLimits(new RequestLimits(64 * 1024, 100))
                        .optBatching(new BatchingOptions(60_000, 2))
                        .optStoreRetry(StoreRetryOptions.DEFAULTS)
                        .optSamplingParallelism(2)
                        .build()
                        .apply(
                                env.fromData(raw, TypeInformation.of(RawRecord.class))
                                        .setParallelism(1));
        CloseableIterator<ResultEvent> results = out.results().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = out.deadLetters().collectAsync();
        JobID jobId = env.execute("generation flow, max batch " + maxBatch).getJobID();
        List<ResultEvent> events = new ArrayList<>();
        results.forEachRemaining(events::add);
        List<DeadLetter> letters = new ArrayList<>();
        deadLetters.forEachRemaining(letters::add);
        results.close();
        deadLetters.close();
        assertThat(events.stream().map(ResultEvent::requestId))
                .as("exactly one result per accepted request")
                .doesNotHaveDuplicates();
        return new Run(
                events.stream()
                        .collect(Collectors.toMap(ResultEvent::requestId, Function.identity())),
                letters,
                jobId);
    }

    /** All metrics of the job named {@code varflow.<name>}, over all subtasks. */
    private static List<Metric> metrics(JobID job, String name) {
        List<Metric> found = new ArrayList<>();
        METRICS.getMetricsByGroup()
                .forEach(
                        (group, byName) -> {
                            String[] scope = group.getScopeComponents();
                            if (scope.length > 0
                                    && scope[scope.length - 1].equals("varflow")
                                    && job.toString()
                                            .equals(group.getAllVariables().get("<job_id>"))
                                    && byName.containsKey(name)) {
                                found.add(byName.get(name));
                            }
                        });
        return found;
    }

    private static long counted(JobID job, String name) {
        return metrics(job, name).stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    @Test
    void generatesStoresAndReportsEveryRequestAndDeadLettersTheRest() throws Exception {
        Run batched = run(4, "batched");

        assertThat(batched.results()).containsOnlyKeys("three-cats", "mixed", "fast.1");
        RequestSchema resultSchema = RequestSchema.load(RequestSchema.RESULT);
        for (ResultEvent event : batched.results().values()) {
            assertThat(event.status()).as(event.toString()).isEqualTo(ResultEvent.Status.SUCCEEDED);
            assertThat(event.model()).isEqualTo("tiny");
            assertThat(resultSchema.problems(Messages.toJson(event))).isEmpty();
            assertThat(event.timings().completedAt())
                    .isGreaterThanOrEqualTo(event.timings().receivedAt());
        }

        ResultEvent cats = batched.results().get("three-cats");
        assertThat(cats.images()).extracting(ResultEvent.Image::index).containsExactly(0, 1, 2);
        for (ResultEvent.Image image : cats.images()) {
            assertThat(image.imageUri())
                    .isEqualTo(
                            String.format(
                                    "s3://batched/varflow/three-cats/%04d.png", image.index()));
            assertThat(image.seed()).isEqualTo(TaskSeeds.forImage(42, image.index()));
            PngImages.Image png = PngImages.decode(s3.get(image.imageUri()));
            assertThat(png.width()).isEqualTo(64);
            TokenMap map = TokenMapFile.read(s3.get(image.tokenMapUri()), image.tokenMapUri());
            assertThat(map.label()).isEqualTo(3);
            assertThat(map.seed()).isEqualTo(image.seed());
            assertThat(map.extra())
                    .containsEntry("request_id", "three-cats")
                    .containsEntry("index", Integer.toString(image.index()));
        }

        ResultEvent fast = batched.results().get("fast.1");
        assertThat(fast.images())
                .allSatisfy(
                        image -> {
                            assertThat(image.imageUri())
                                    .as("only token maps were asked for")
                                    .isNull();
                            assertThat(image.tokenMapUri())
                                    .startsWith("s3://batched/varflow/evals/run-1/fast.1/");
                        });
        assertThat(s3.keys("batched")).hasSize(3 * 2 + 2 * 2 + 2);

        assertThat(batched.deadLetters())
                .extracting(d -> d.source().offset(), DeadLetter::errorCode)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(2L, ErrorCode.NOT_JSON),
                        org.assertj.core.groups.Tuple.tuple(4L, ErrorCode.UNKNOWN_MODEL),
                        org.assertj.core.groups.Tuple.tuple(5L, ErrorCode.LABEL_OUT_OF_RANGE),
                        org.assertj.core.groups.Tuple.tuple(6L, ErrorCode.UNSAFE_REQUEST_ID),
                        org.assertj.core.groups.Tuple.tuple(7L, ErrorCode.TOO_MANY_IMAGES));
        RequestSchema deadLetterSchema = RequestSchema.load(RequestSchema.DEAD_LETTER);
        for (DeadLetter letter : batched.deadLetters()) {
            assertThat(letter.source().topic()).isEqualTo("requests");
            assertThat(new String(letter.original(), StandardCharsets.UTF_8))
                    .isEqualTo(REQUESTS.get((int) letter.source().offset()));
            assertThat(deadLetterSchema.problems(Messages.toJson(letter))).isEmpty();
        }

        JobID job = batched.jobId();
        assertThat(counted(job, "imagesGenerated")).isEqualTo(7);
        assertThat(counted(job, "requestsAccepted"))
                .as("the re-sent request is valid")
                .isEqualTo(4);
        assertThat(counted(job, "repeatedRequests"))
                .as("and dropped before any GPU work")
                .isEqualTo(1);
        assertThat(counted(job, "deadLetters")).isEqualTo(5);
        assertThat(counted(job, "objectsStored")).isEqualTo(12);
        assertThat(counted(job, "resultsEmitted")).isEqualTo(3);
        assertThat(metrics(job, "imagesPerSecond"))
                .hasSize(2)
                .allSatisfy(m -> assertThat(m).isInstanceOf(Meter.class));
        assertThat(
                        metrics(job, "queueWaitMs").stream()
                                .mapToLong(m -> ((Histogram) m).getCount())
                                .sum())
                .isEqualTo(7);
        assertThat(
                        metrics(job, "batchFillPercent").stream()
                                .mapToLong(m -> ((Histogram) m).getCount())
                                .sum())
                .isEqualTo(
                        metrics(job, "batchMs").stream()
                                .mapToLong(m -> ((Histogram) m).getCount())
                                .sum())
                .isGreaterThanOrEqualTo(2);

        Run single = run(1, "single");
        assertThat(single.results()).containsOnlyKeys("three-cats", "mixed", "fast.1");
        assertThat(s3.keys("single")).isEqualTo(s3.keys("batched"));
        for (String key : s3.keys("batched")) {
            if (key.endsWith(".tokens.safetensors")) {
                assertThat(s3.get("single", key))
                        .as("%s must not depend on batching", key)
                        .isEqualTo(s3.get("batched", key));
            } else {
                // Pixels come from float math whose rounding may depend on the batch's shape (CPU
                // GEMM
                // blocking): allow one 8-bit step; the tokens above are exact.
                float[] a = PngImages.decode(s3.get("single", key)).chw();
                float[] b = PngImages.decode(s3.get("batched", key)).chw();
                float maxDiff = 0;
                for (int i = 0; i < a.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                }
                assertThat(maxDiff)
                        .as("%s pixels must not depend on batching", key)
                        .isLessThanOrEqualTo(1.01f / 255);
            }
        }
    }
}
