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
        return new ImageWork(new ImageWork.Draw("tiny", label, TaskSeeds.forImage(11, index), 11), SamplingParams.FID,
                new ImageWork.Output(id, index, 3, "", images, tokens),
                new ImageWork.Schedule(Priority.BULK, "tiny#0", 100, 100), null);
    }

    private static List<GeneratedArtifact> run(OneInputStreamOperatorTestHarness<TaskBatch, GeneratedArtifact> h,
            ImageWork... tasks) throws Exception {
        h.getOutput().clear();
        h.processElement(new TaskBatch("tiny", tasks, 8, 130), 0);
        return h.extractOutputValues();
    }

    @Test
    void producesPngAndTokenMapsThatDoNotDependOnBatching() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(
                new SampleBatchFunction(CATALOG, VarModelFactory.cpu()))) {
            ImageWork a = work("r", 0, 3, true, true);
            ImageWork b = work("r", 1, 7, true, true);
            ImageWork c = work("r", 2, 3, false, true);
            List<GeneratedArtifact> together = run(h, a, b, c);
            List<GeneratedArtifact> alone = run(h, b);

            assertThat(together).hasSize(3).allSatisfy(x -> assertThat(x.error()).isNull());
            assertThat(together.get(0).queueWaitMs()).isEqualTo(30);
            assertThat(together.get(0).batchSize()).isEqualTo(3);
            assertThat(alone.get(0).rgb()).as("an image must not depend on its batch")
                    .isEqualTo(together.get(1).rgb());
            assertThat(alone.get(0).tokensPerScale()).isEqualTo(together.get(1).tokensPerScale());
            assertThat(together.get(2).rgb()).as("images not requested are not kept").isNull();
            assertThat(ArtifactEncoder.png(together.get(2))).isNull();
            assertThat(together.get(0).rgb()).hasSize(64 * 64 * 3);

            // What the store step makes of them.
            PngImages.Image png = PngImages.decode(ArtifactEncoder.png(together.get(0)));
            assertThat(png.width()).isEqualTo(64);
            assertThat(png.height()).isEqualTo(64);
            assertThat(PngImages.toRgb(png.chw(), 64, 64)).isEqualTo(together.get(0).rgb());

            TokenMap map = TokenMapFile.read(ArtifactEncoder.tokenMap(together.get(1), CATALOG.get("tiny").patchNums()), "r#1");
            assertThat(map.model()).isEqualTo("tiny");
            assertThat(map.patchNums()).containsExactly(1, 2, 3, 4);
            assertThat(map.label()).isEqualTo(7);
            assertThat(map.seed()).isEqualTo(TaskSeeds.forImage(11, 1));
            assertThat(map.sampling().cfg()).isEqualTo(1.5);
            assertThat(map.sampling().topK()).isEqualTo(900);
            assertThat(map.extra()).containsEntry("request_id", "r").containsEntry("index", "1")
                    .containsEntry("request_seed", "11").containsEntry("count", "3");
            assertThat(java.util.Arrays.stream(map.tokensPerScale()[3]).boxed().toList()).hasSize(16).allSatisfy(t -> assertThat(t).isBetween(0, 63));
        }
    }

    @Test
    void aBatchTheModelFailsOnBecomesFailedImagesAndTheModelIsLoadedOnce() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        GeneratorFactory failing = (spec, subtask) -> {
            loads.incrementAndGet();
            return new FailingGenerator();
        };
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new SampleBatchFunction(CATALOG, failing))) {
            List<GeneratedArtifact> out = run(h, work("x", 0, 1, true, true), work("x", 1, 1, true, true));
            run(h, work("y", 0, 1, true, true));
            assertThat(out).hasSize(2).allSatisfy(a -> {
                assertThat(a.error()).contains("device lost");
                assertThat(a.rgb()).isNull();
                assertThat(a.tokensPerScale()).isNull();
            });
            assertThat(loads).hasValue(1);
        }
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
}
