package io.varflow.operators.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.SamplingParams;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.GenerationFlow;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.sample.GeneratedArtifact;
import io.varflow.operators.testutil.S3ProxyServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The object-store step against a REAL S3 server (S3Proxy in-process) on a Flink MiniCluster. */
class StoreITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String BUCKET = "varflow-images";

    private S3ProxyServer s3;

    @BeforeEach
    void startS3() throws Exception {
        s3 = S3ProxyServer.start();
    }

    @AfterEach
    void stopS3() throws Exception {
        s3.close();
    }

    private static GeneratedArtifact artifact(
            String id, int index, boolean png, boolean tokens, String error) {
        ImageWork w =
                new ImageWork(
                        new ImageWork.Draw(MODEL, 1, 10 + index, 10),
                        SamplingParams.FID,
                        new ImageWork.Output(id, index, 3, "evals", png, tokens),
                        new ImageWork.Schedule(Priority.BULK, MODEL + "#0", 100, 100),
                        null);
        if (error != null) {
            return GeneratedArtifact.failed(w, 3, 40, 2, error);
        }
        return new GeneratedArtifact(
                w, png ? pixels(id, index) : null, 2, tokens ? TOKENS : null, 3, 40, 2, null);
    }

    private static final int[][] TOKENS = {{5}, {1, 2, 3, 4}};

    /**
     * A model of two scales (1x1, 2x2), as {@link #TOKENS} hold: the token map takes its scales
     * from the catalog.
     */
    private static final String MODEL = "two-scales";

    private static final ModelCatalog CATALOG =
            ModelCatalog.of(
                    List.of(
                            new ModelSpec(
                                    MODEL,
                                    ModelSpec.BUNDLED_TINY,
                                    null,
                                    null,
                                    10,
                                    2,
                                    List.of(1, 2),
                                    8)));

    /** A 2x2 image whose bytes spell out which image it is. */
    private static byte[] pixels(String id, int index) {
        byte[] rgb = new byte[12];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (id.hashCode() * 31 + index * 7 + i);
        }
        return rgb;
    }

    private static byte[] rgbOf(byte[] png) throws Exception {
        PngImages.Image image = PngImages.decode(png);
        return PngImages.toRgb(image.chw(), image.height(), image.width());
    }

    private static List<StoredImage> run(
            ObjectStoreConfig config, StoreRetryOptions retry, List<GeneratedArtifact> in)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        List<StoredImage> out =
                new ArrayList<>(
                        GenerationFlow.store(
                                        env.fromData(
                                                in, TypeInformation.of(GeneratedArtifact.class)),
                                        config,
                                        CATALOG,
                                        retry)
                                .executeAndCollect(100));
        out.sort(Comparator.comparing(StoredImage::requestId).thenComparing(StoredImage::index));
        return out;
    }

    @Test
    void storesEveryObjectUnderDeterministicKeysAndARetriedWriteReplaces() throws Exception {
        s3.createBucket(BUCKET);
        ObjectStoreConfig config = s3.config(BUCKET, "varflow");
        List<GeneratedArtifact> in =
                List.of(
                        artifact("r1", 0, true, true, null),
                        artifact("r1", 1, false, true, null),
                        artifact("r2", 0, true, true, "GENERATION_FAILED: boom"));
        List<StoredImage> out = run(config, StoreRetryOptions.DEFAULTS, in);

        assertThat(out).hasSize(3);
        assertThat(out.get(0).imageUri())
                .isEqualTo("s3://varflow-images/varflow/evals/r1/0000.png");
        assertThat(out.get(0).tokenMapUri())
                .isEqualTo("s3://varflow-images/varflow/evals/r1/0000.tokens.safetensors");
        assertThat(out.get(1).imageUri()).as("images not requested are not stored").isNull();
        assertThat(out.get(2).error()).contains("boom");
        assertThat(out.get(2).imageUri()).isNull();
        assertThat(out.get(0).sampleMs()).as("an image's share of its batch of 2").isEqualTo(20);
        assertThat(rgbOf(s3.get(out.get(0).imageUri()))).isEqualTo(pixels("r1", 0));
        TokenMap map = TokenMapFile.read(s3.get(out.get(1).tokenMapUri()), "r1#1");
        assertThat(map.tokensPerScale()).isEqualTo(TOKENS);
        assertThat(map.patchNums()).containsExactly(1, 2);
        assertThat(map.extra()).containsEntry("request_id", "r1").containsEntry("index", "1");
        List<String> keys = s3.keys(BUCKET);
        assertThat(keys)
                .containsExactly(
                        "varflow/evals/r1/0000.png",
                        "varflow/evals/r1/0000.tokens.safetensors",
                        "varflow/evals/r1/0001.tokens.safetensors");

        run(config, StoreRetryOptions.DEFAULTS, in);
        assertThat(s3.keys(BUCKET))
                .as("the same images again replace, never duplicate")
                .isEqualTo(keys);
    }

    /**
     * Set while {@link #retriesWithBackoffUntilTheStoreAccepts} runs: the MiniCluster shares this
     * JVM.
     */
    private static volatile CountDownLatch artifactSent;

    private static volatile CountDownLatch bucketCreated;

    @Test
    void retriesWithBackoffUntilTheStoreAccepts() throws Exception {
        ObjectStoreConfig config = s3.config(BUCKET, "");
        artifactSent = new CountDownLatch(1);
        bucketCreated = new CountDownLatch(1);
        // The bucket appears only after the image has reached the store step, so its first attempts
        // fail.
        Thread creator =
                new Thread(
                        () -> {
                            try {
                                if (artifactSent.await(60, TimeUnit.SECONDS)) {
                                    Thread.sleep(1000);
                                    s3.createBucket(BUCKET);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            } finally {
                                bucketCreated.countDown();
                            }
                        });
        creator.start();
        List<StoredImage> out;
        try {
            StreamExecutionEnvironment env = environment();
            out =
                    new ArrayList<>(
                            GenerationFlow.store(
                                            heldOpen(env, artifact("late", 0, true, true, null)),
                                            config,
                                            CATALOG,
                                            new StoreRetryOptions(20, 100, 400, 60_000, 8))
                                    .executeAndCollect(100));
        } finally {
            creator.join(70_000);
        }
        assertThat(out).hasSize(1);
        assertThat(rgbOf(s3.get(out.get(0).imageUri()))).isEqualTo(pixels("late", 0));
        assertThat(s3.keys(BUCKET))
                .containsExactly("evals/late/0000.png", "evals/late/0000.tokens.safetensors");
    }

    private static final String HOLD_OPEN = "hold-open";

    /**
     * {@code artifact} followed by a sentinel that keeps the input open until {@link
     * #bucketCreated} opens: Flink stops retrying async calls once their input ends, so without it
     * the retries under test would be cut short. One subtask, and the hold in an operator of its
     * own (not chained), so the store's retry timers stay free to fire.
     */
    private static DataStream<GeneratedArtifact> heldOpen(
            StreamExecutionEnvironment env, GeneratedArtifact artifact) {
        env.setParallelism(1);
        return env.fromData(
                        List.of(artifact, artifact(HOLD_OPEN, 0, true, true, null)),
                        TypeInformation.of(GeneratedArtifact.class))
                .flatMap(
                        StoreITCase::holdInputOpenUntilBucketExists,
                        TypeInformation.of(GeneratedArtifact.class))
                .disableChaining();
    }

    private static void holdInputOpenUntilBucketExists(
            GeneratedArtifact artifact, Collector<GeneratedArtifact> out)
            throws InterruptedException {
        if (!artifact.work().output().requestId().equals(HOLD_OPEN)) {
            out.collect(artifact);
            artifactSent.countDown();
            return;
        }
        bucketCreated.await(
                60, TimeUnit.SECONDS); // or interrupted when a failing job cancels this task
    }

    @Test
    void failsTheJobWhenRetriesAreExhausted() {
        ObjectStoreConfig config = s3.config("no-such-bucket", "");
        artifactSent = new CountDownLatch(1);
        bucketCreated =
                new CountDownLatch(
                        1); // never opens: the job must fail on its own, after its retries
        assertThatThrownBy(
                        () -> {
                            StreamExecutionEnvironment env = environment();
                            GenerationFlow.store(
                                            heldOpen(env, artifact("lost", 0, true, true, null)),
                                            config,
                                            CATALOG,
                                            new StoreRetryOptions(2, 50, 100, 30_000, 8))
                                    .map(stored -> "stored " + stored.requestId())
                                    .sinkTo(
                                            new org.apache.flink.streaming.api.functions.sink.v2
                                                    .DiscardingSink<>());
                            env.execute("store to a missing bucket");
                        })
                .satisfies(
                        e ->
                                assertThat(ExceptionUtils.stringifyException(e))
                                        .as("the store failure must surface, without credentials")
                                        .contains("StoreException")
                                        .contains("no-such-bucket")
                                        .contains("The specified bucket does not exist")
                                        .doesNotContain(S3ProxyServer.SECRET_KEY));
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }
}
