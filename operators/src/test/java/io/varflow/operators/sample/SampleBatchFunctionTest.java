package io.varflow.operators.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.batch.DeadlineMiss;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.store.ArtifactEncoder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The sampling operator with the REAL bundled tiny model (CPU fp32). */
class SampleBatchFunctionTest {

    private static final ModelCatalog CATALOG = ModelCatalog.of(List.of(ModelSpec.tiny(8)));

    private static ImageWork work(String id, int index, int label, boolean images, boolean tokens) {
        return new ImageWork(
                new ImageWork.Draw("tiny", label, TaskSeeds.forImage(11, index), 11),
                SamplingParams.FID,
                new ImageWork.Output(id, index, 3, "", images, tokens),
                new ImageWork.Schedule(Priority.BULK, "tiny#0", 100, 100),
                null);
    }

    private static List<GeneratedArtifact> run(
            OneInputStreamOperatorTestHarness<TaskBatch, GeneratedArtifact> h, ImageWork... tasks)
            throws Exception {
        h.getOutput().clear();
        h.processElement(new TaskBatch("tiny", tasks, 8, 130), 0);
        return h.extractOutputValues();
    }

    @Test
    void producesPngAndTokenMapsThatDoNotDependOnBatching() throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SampleBatchFunction(CATALOG, VarModelFactory.cpu()))) {
            ImageWork a = work("r", 0, 3, true, true);
            ImageWork b = work("r", 1, 7, true, true);
            ImageWork c = work("r", 2, 3, false, true);
            List<GeneratedArtifact> together = run(h, a, b, c);
            List<GeneratedArtifact> alone = run(h, b);

            assertThat(together).hasSize(3).allSatisfy(x -> assertThat(x.error()).isNull());
            assertThat(together.get(0).queueWaitMs()).isEqualTo(30);
            assertThat(together.get(0).batchSize()).isEqualTo(3);
            // Tokens are exact across batch shapes; pixels may round one 8-bit step apart because
            // CPU
            // float kernels pick different blockings per batch shape (docs/architecture.md).
            assertThat(alone.get(0).tokensPerScale()).isEqualTo(together.get(1).tokensPerScale());
            assertThat(maxByteDifference(alone.get(0).rgb(), together.get(1).rgb()))
                    .as("an image must not depend on its batch beyond one rounding step")
                    .isLessThanOrEqualTo(1);
            assertThat(together.get(2).rgb()).as("images not requested are not kept").isNull();
            assertThat(ArtifactEncoder.png(together.get(2))).isNull();
            assertThat(together.get(0).rgb()).hasSize(64 * 64 * 3);

            // What the store step makes of them.
            PngImages.Image png = PngImages.decode(ArtifactEncoder.png(together.get(0)));
            assertThat(png.width()).isEqualTo(64);
            assertThat(png.height()).isEqualTo(64);
            assertThat(PngImages.toRgb(png.chw(), 64, 64)).isEqualTo(together.get(0).rgb());

            TokenMap map =
                    TokenMapFile.read(
                            ArtifactEncoder.tokenMap(
                                    together.get(1), CATALOG.get("tiny").patchNums()),
                            "r#1");
            assertThat(map.model()).isEqualTo("tiny");
            assertThat(map.patchNums()).containsExactly(1, 2, 3, 4);
            assertThat(map.label()).isEqualTo(7);
            assertThat(map.seed()).isEqualTo(TaskSeeds.forImage(11, 1));
            assertThat(map.sampling().cfg()).isEqualTo(1.5);
            assertThat(map.sampling().topK()).isEqualTo(900);
            assertThat(map.extra())
                    .containsEntry("request_id", "r")
                    .containsEntry("index", "1")
                    .containsEntry("request_seed", "11")
                    .containsEntry("count", "3");
            assertThat(java.util.Arrays.stream(map.tokensPerScale()[3]).boxed().toList())
                    .hasSize(16)
                    .allSatisfy(t -> assertThat(t).isBetween(0, 63));
        }
    }

    @Test
    void aBatchTheModelFailsOnBecomesFailedImagesAndTheModelIsLoadedOnce() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        GeneratorFactory failing =
                (spec, subtask) -> {
                    loads.incrementAndGet();
                    return new FailingGenerator();
                };
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SampleBatchFunction(CATALOG, failing))) {
            List<GeneratedArtifact> out =
                    run(h, work("x", 0, 1, true, true), work("x", 1, 1, true, true));
            run(h, work("y", 0, 1, true, true));
            assertThat(out)
                    .hasSize(2)
                    .allSatisfy(
                            a -> {
                                assertThat(a.error()).contains("device lost");
                                assertThat(a.rgb()).isNull();
                                assertThat(a.tokensPerScale()).isNull();
                            });
            assertThat(loads).hasValue(1);
        }
    }

    @Test
    void onlyTheImageThatFailsOnItsOwnFailsAndRunningOutOfMemoryLowersTheBatchLimit()
            throws Exception {
        PickyGenerator picky = new PickyGenerator(5, 3);
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SampleBatchFunction(CATALOG, (spec, subtask) -> picky))) {
            ImageWork[] batch = new ImageWork[8];
            for (int i = 0; i < 8; i++) {
                batch[i] = work("x", i, i, true, false);
            }
            List<GeneratedArtifact> out = run(h, batch);

            assertThat(out)
                    .extracting(a -> a.work().output().index())
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(out)
                    .filteredOn(GeneratedArtifact::failed)
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.work().draw().label()).isEqualTo(5);
                                assertThat(a.error())
                                        .isEqualTo("IllegalArgumentException: cannot draw label 5");
                                assertThat(a.batchSize()).isEqualTo(1);
                            });
            assertThat(out)
                    .filteredOn(a -> !a.failed())
                    .hasSize(7)
                    .allSatisfy(a -> assertThat(a.rgb()).hasSize(64 * 64 * 3));
            // 8 ran out of memory, so the limit fell to 4; 4 did too, so 2. [4,5] failed on 5:
            // halves [4], [5].
            assertThat(picky.calls).containsExactly(8, 4, 2, 2, 2, 1, 1, 2);

            picky.calls.clear();
            ImageWork[] next = new ImageWork[5];
            for (int i = 0; i < 5; i++) {
                next[i] = work("y", i, 0, true, false);
            }
            assertThat(run(h, next)).noneMatch(GeneratedArtifact::failed).hasSize(5);
            assertThat(picky.calls)
                    .as("later batches are cut to the lowered limit from the start")
                    .containsExactly(2, 2, 1);
        }
    }

    @Test
    void outOfMemoryIsRecognisedFromTheMessagesOfTorchAndTheJvm() {
        assertThat(
                        OutOfMemory.recognises(
                                new RuntimeException(
                                        "engine failed",
                                        new IllegalStateException(
                                                "CUDA out of memory. Tried to allocate 2.00 GiB"))))
                .isTrue();
        assertThat(
                        OutOfMemory.recognises(
                                new RuntimeException(
                                        "[enforce fail at alloc_cpu.cpp:114] DefaultCPUAllocator: can't allocate memory")))
                .isTrue();
        assertThat(OutOfMemory.recognises(new OutOfMemoryError("Java heap space"))).isTrue();
        assertThat(OutOfMemory.recognises(new IllegalStateException("device lost"))).isFalse();
    }

    private static final java.util.concurrent.atomic.AtomicLong NANOS =
            new java.util.concurrent.atomic.AtomicLong();

    private static ImageWork due(String id, long deadline) {
        ImageWork w = work(id, 0, 1, true, false);
        ImageWork.Schedule s = w.schedule();
        return new ImageWork(
                w.draw(),
                w.sampling(),
                w.output(),
                new ImageWork.Schedule(
                        s.priority(), s.routeKey(), s.receivedAt(), s.enqueuedAt(), deadline),
                null);
    }

    @Test
    void imagesThatCannotMakeTheirDeadlineGivenTheMeasuredBatchTimeAreNotSampled()
            throws Exception {
        PickyGenerator slow =
                new PickyGenerator(-1, 100) {
                    @Override
                    public List<GeneratedImage> generate(List<ImageTask> tasks) {
                        NANOS.addAndGet(500_000_000L); // each call takes 500 ms on the test's clock
                        return super.generate(tasks);
                    }
                };
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SampleBatchFunction(CATALOG, (spec, subtask) -> slow, NANOS::get))) {
            h.setProcessingTime(1_000);
            assertThat(run(h, due("before-any-measure", 1_100)))
                    .noneMatch(GeneratedArtifact::failed);

            h.setProcessingTime(2_000);
            List<GeneratedArtifact> out =
                    run(
                            h,
                            due("passed", 1_990),
                            due("too-close", 2_300),
                            due("in-time", 2_600),
                            work("none", 0, 1, true, false));
            assertThat(out)
                    .extracting(a -> a.work().output().requestId())
                    .containsExactly("passed", "too-close", "in-time", "none");
            assertThat(out.get(0).error())
                    .isEqualTo(
                            "deadline exceeded: the deadline passed 10 ms before the image"
                                    + " reached the model");
            assertThat(out.get(1).error())
                    .isEqualTo(
                            "deadline exceeded: 300 ms were left but a batch of the model"
                                    + " takes about 500 ms");
            assertThat(out.subList(0, 2))
                    .allSatisfy(a -> assertThat(DeadlineMiss.is(a.error())).isTrue());
            assertThat(out.subList(2, 4))
                    .noneMatch(GeneratedArtifact::failed)
                    .allSatisfy(
                            a ->
                                    assertThat(a.batchSize())
                                            .as("only the two in time ran")
                                            .isEqualTo(2));
            assertThat(slow.calls).containsExactly(1, 2);
        }
    }

    /** Fails on one label whatever the batch, and runs out of memory on batches above a size. */
    private static class PickyGenerator implements ImageGenerator {
        private final int badLabel;
        private final int memoryFor;
        final List<Integer> calls = new java.util.ArrayList<>();

        PickyGenerator(int badLabel, int memoryFor) {
            this.badLabel = badLabel;
            this.memoryFor = memoryFor;
        }

        @Override
        public ModelConfig config() {
            return ModelSpec.tinyConfig();
        }

        @Override
        public List<GeneratedImage> generate(List<ImageTask> tasks) {
            calls.add(tasks.size());
            if (tasks.size() > memoryFor) {
                throw new IllegalStateException("CUDA out of memory. Tried to allocate 20.00 MiB");
            }
            return tasks.stream()
                    .map(
                            t -> {
                                if (t.label() == badLabel) {
                                    throw new IllegalArgumentException(
                                            "cannot draw label " + badLabel);
                                }
                                return new GeneratedImage(
                                        t, new int[][] {{t.label()}}, new float[3 * 64 * 64], 64);
                            })
                    .toList();
        }

        @Override
        public void close() {}
    }

    /** Fails every batch, as a lost device would. */
    private static final class FailingGenerator implements ImageGenerator {
        @Override
        public ModelConfig config() {
            return ModelSpec.tinyConfig();
        }

        @Override
        public List<GeneratedImage> generate(List<ImageTask> tasks) {
            throw new IllegalStateException("device lost");
        }

        @Override
        public void close() {}
    }

    private static int maxByteDifference(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b[i])));
        }
        return max;
    }
}
