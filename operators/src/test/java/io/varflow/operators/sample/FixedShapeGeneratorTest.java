package io.varflow.operators.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FixedShapeGeneratorTest {

    private static VarModel model;

    @BeforeAll
    static void load() throws Exception {
        model = VarModel.tiny(RuntimeOptions.CPU_FP32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void anImagesBytesDoNotDependOnItsBatch() {
        FixedShapeGenerator fixed = new FixedShapeGenerator(model, 4);
        ImageTask task = new ImageTask(3, 424242L, SamplingParams.FID);
        List<ImageTask> crowd = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            crowd.add(new ImageTask(i % 10, 1000L + 31 * i, SamplingParams.FID));
        }
        crowd.add(task);

        GeneratedImage alone = fixed.generate(List.of(task)).get(0);
        List<GeneratedImage> inCrowd = fixed.generate(crowd); // cut into 4 + 3 (padded)
        assertThat(inCrowd).hasSize(7);
        assertThat(inCrowd.get(6).task()).isEqualTo(task);
        assertThat(inCrowd.get(6).pixels()).isEqualTo(alone.pixels());
        assertThat(inCrowd.get(6).tokensPerScale()).isDeepEqualTo(alone.tokensPerScale());
        for (int i = 0; i < 6; i++) {
            assertThat(inCrowd.get(i).task()).isEqualTo(crowd.get(i));
        }
    }

    @Test
    void padsAndCutsToTheFixedSize() {
        List<Integer> calls = new ArrayList<>();
        io.varflow.model.ImageGenerator counting =
                new io.varflow.model.ImageGenerator() {
                    @Override
                    public io.varflow.model.config.ModelConfig config() {
                        return model.config();
                    }

                    @Override
                    public List<GeneratedImage> generate(List<ImageTask> tasks) {
                        calls.add(tasks.size());
                        return tasks.stream()
                                .map(t -> new GeneratedImage(t, new int[0][], new float[0], 0))
                                .toList();
                    }

                    @Override
                    public void close() {}
                };
        List<ImageTask> tasks = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tasks.add(new ImageTask(0, i, SamplingParams.FID));
        }
        List<GeneratedImage> out = new FixedShapeGenerator(counting, 4).generate(tasks);
        assertThat(calls).containsExactly(4, 4, 4);
        assertThat(out).extracting(GeneratedImage::task).containsExactlyElementsOf(tasks);
    }
}
