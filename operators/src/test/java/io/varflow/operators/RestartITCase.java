package io.varflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.testutil.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sampling subtask crashes mid-stream; the job restarts from its last checkpoint and still emits
 * exactly one ResultEvent per request, every one naming objects that exist (real S3Proxy). Uses a
 * small deterministic generator so the test is about fault tolerance, not the model.
 */
class RestartITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Batches generated across all attempts; the crash happens at the 6th. */
    static final AtomicInteger BATCHES = new AtomicInteger();

    static final int CRASH_AT = 6;

    @Test
    void aCrashAndRestartNeitherLosesNorRepeatsAResult() throws Exception {
        BATCHES.set(0);
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            s3.createBucket("restart");
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(100));
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(2);
            env.enableCheckpointing(150);

            List<RawRecord> raw = new ArrayList<>();
            int requests = 24;
            for (int i = 0; i < requests; i++) {
                String json =
                        "{\"requestId\":\"req-"
                                + i
                                + "\",\"classLabel\":"
                                + (i % 10)
                                + ",\"count\":"
                                + (1 + i % 3)
                                + ",\"seed\":"
                                + i
                                + "}";
                raw.add(new RawRecord(json.getBytes(StandardCharsets.UTF_8), "requests", 0, i, -1));
            }
            GenerationFlow.Outputs out =
                    GenerationFlow.builder()
                            .setCatalog(ModelCatalog.of(List.of(ModelSpec.tiny(2))))
                            .setGeneratorFactory((spec, subtask) -> new CrashingGenerator())
                            .setObjectStore(s3.config("restart", ""))
                            .optBatching(new BatchingOptions(20, 1))
                            .optStoreRetry(StoreRetryOptions.DEFAULTS)
                            .optSamplingParallelism(2)
                            .build()
                            .apply(
                                    env.fromData(raw, TypeInformation.of(RawRecord.class))
                                            .setParallelism(1)
                                            .map(new Throttle())
                                            .setParallelism(1));
            CloseableIterator<ResultEvent> results = out.results().collectAsync();
            env.execute("restart");
            List<ResultEvent> events = new ArrayList<>();
            results.forEachRemaining(events::add);
            results.close();

            assertThat(BATCHES.get())
                    .as("the job crashed once and went on")
                    .isGreaterThan(CRASH_AT);
            Map<String, Long> perRequest =
                    events.stream()
                            .collect(
                                    Collectors.groupingBy(
                                            ResultEvent::requestId, Collectors.counting()));
            assertThat(perRequest)
                    .hasSize(requests)
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
            assertThat(s3.keys("restart"))
                    .as("replayed writes replaced objects instead of adding any")
                    .hasSize(2 * 48);
            for (ResultEvent event : events) {
                assertThat(event.status()).isEqualTo(ResultEvent.Status.SUCCEEDED);
                int index = Integer.parseInt(event.requestId().substring(4));
                assertThat(event.images()).hasSize(1 + index % 3);
                for (ResultEvent.Image image : event.images()) {
                    assertThat(s3.get(image.imageUri())).isNotEmpty();
                    assertThat(s3.get(image.tokenMapUri())).isNotEmpty();
                }
            }
        }
    }

    /** Slows the source so that checkpoints complete between requests. */
    private static final class Throttle implements MapFunction<RawRecord, RawRecord> {
        @Override
        public RawRecord map(RawRecord record) throws InterruptedException {
            Thread.sleep(40);
            return record;
        }
    }

    /** Deterministic fake images; throws an Error (fails the task) at the CRASH_AT-th batch. */
    private static final class CrashingGenerator implements ImageGenerator {
        private final ModelConfig config = ModelSpec.tinyConfig();

        @Override
        public ModelConfig config() {
            return config;
        }

        @Override
        public List<GeneratedImage> generate(List<ImageTask> tasks) {
            if (BATCHES.incrementAndGet() == CRASH_AT) {
                throw new AssertionError("simulated crash of a sampling subtask");
            }
            List<GeneratedImage> images = new ArrayList<>();
            for (ImageTask task : tasks) {
                int[] pn = config.patchNumsArray();
                int[][] tokens = new int[pn.length][];
                for (int s = 0; s < pn.length; s++) {
                    tokens[s] = new int[pn[s] * pn[s]];
                    java.util.Arrays.fill(
                            tokens[s], (int) Math.floorMod(task.seed(), config.vocabSize()));
                }
                float[] pixels = new float[3 * config.imageSize() * config.imageSize()];
                java.util.Arrays.fill(pixels, task.label() / 10f);
                images.add(new GeneratedImage(task, tokens, pixels, config.imageSize()));
            }
            return images;
        }

        @Override
        public void close() {}
    }
}
