package io.varflow.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.model.SamplingParams;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.eval.EvalPlan;
import io.varflow.operators.eval.EvalRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's bookkeeping against a directory store, with a stand-in job that writes the PNGs it is
 * asked for.
 */
class EvalRunTest {

    @TempDir Path dir;

    private final ModelConfig tiny = ModelSpec.tinyConfig();
    private final ModelIdentity model =
            new ModelIdentity(
                    "tiny", tiny, List.of(new EvalManifest.Checkpoint("vae", "vae.pth", 1, "00")));
    private final EvalPlan plan =
            new EvalPlan("t", null, List.of(0, 1, 2), 2, 5, SamplingParams.FID, "evals/t");
    private final StringWriter log = new StringWriter();

    @Test
    void resumesBySubmittingOnlyIncompleteClassesThenPacks() throws Exception {
        Path root = dir.resolve("store");
        write(root, plan.item(0)); // class 0 complete, class 1 half done, class 2 missing
        write(root, plan.item(1));
        write(root, plan.item(2));
        List<EvalRequest> submitted = new ArrayList<>();
        EvalRun run =
                new EvalRun(
                        plan,
                        model,
                        new DirectoryEvalStore(root),
                        "bucket",
                        new EvalRun.Options(Duration.ofMillis(10), Duration.ofSeconds(20), 2, true),
                        new PrintWriter(log));

        EvalRun.Outcome outcome =
                run.run(
                        request -> {
                            submitted.add(request);
                            EvalPlan asked = EvalPlan.of(request, tiny.numClasses());
                            for (EvalPlan.EvalItem item : asked.items()) {
                                write(root, item); // what the job does: same names, same content
                            }
                        },
                        EvalRun.JobWatch.NONE,
                        dir.resolve("out"));

        assertThat(submitted).hasSize(1);
        assertThat(submitted.get(0).classes()).isEqualTo("1-2");
        assertThat(submitted.get(0).evalId()).isEqualTo("t");
        assertThat(outcome.imagesFoundAtStart()).isEqualTo(3);
        EvalManifest manifest = EvalManifest.read(outcome.manifestFile());
        assertThat(manifest.images()).isEqualTo(6);
        assertThat(manifest.classes()).containsExactly(0, 1, 2);
        assertThat(manifest.npz().arrays().get("arr_0")).containsExactly(6L, 64L, 64L, 3L);
        assertThat(manifest.timings().imagesFoundAtStart()).isEqualTo(3);
        try (ZipFile zip = new ZipFile(outcome.npz().toFile())) {
            assertThat(zip.getEntry("arr_0.npy").getSize()).isEqualTo(128 + 6 * 64 * 64 * 3);
        }
        assertThat(log.toString())
                .contains("3/6 images present; submitted 2 class(es)")
                .contains("6/6 images");
    }

    @Test
    void submitsNothingWhenTheSetIsAlreadyComplete() throws Exception {
        Path root = dir.resolve("store");
        for (EvalPlan.EvalItem item : plan.items()) {
            write(root, item);
        }
        EvalRun run =
                new EvalRun(
                        plan,
                        model,
                        new DirectoryEvalStore(root),
                        "bucket",
                        new EvalRun.Options(Duration.ofMillis(10), Duration.ofSeconds(20), 2, true),
                        new PrintWriter(log));
        run.run(
                request -> {
                    throw new AssertionError("nothing to submit");
                },
                EvalRun.JobWatch.NONE,
                dir.resolve("out"));
        assertThat(dir.resolve("out/samples.npz")).exists();
        assertThat(dir.resolve("out/manifest.json")).exists();
    }

    @Test
    void stopsWhenTheJobStopsOrTheTimeoutPasses() {
        Path root = dir.resolve("store");
        EvalRun failing =
                new EvalRun(
                        plan,
                        model,
                        new DirectoryEvalStore(root),
                        "bucket",
                        new EvalRun.Options(Duration.ofMillis(10), Duration.ofSeconds(20), 2, true),
                        new PrintWriter(log));
        assertThatThrownBy(
                        () ->
                                failing.run(
                                        r -> {},
                                        () -> "the job ended as FAILED",
                                        dir.resolve("out")))
                .hasMessageContaining("0/6 images")
                .hasMessageContaining("FAILED");
        EvalRun slow =
                new EvalRun(
                        plan,
                        model,
                        new DirectoryEvalStore(root),
                        "bucket",
                        new EvalRun.Options(Duration.ofMillis(10), Duration.ofMillis(50), 2, true),
                        new PrintWriter(log));
        assertThatThrownBy(() -> slow.run(r -> {}, EvalRun.JobWatch.NONE, dir.resolve("out")))
                .hasMessageContaining("run the same command again to resume");
        assertThat(dir.resolve("out/samples.npz")).doesNotExist();
    }

    private static void write(Path root, EvalPlan.EvalItem item) throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, item.label() << 16 | item.index());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        Path file = root.resolve(item.key());
        Files.createDirectories(file.getParent());
        Files.write(file, bytes.toByteArray());
    }
}
