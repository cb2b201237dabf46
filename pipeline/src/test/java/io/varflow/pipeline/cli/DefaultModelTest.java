package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMapFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without checkpoints the commands use the bundled Fashion-MNIST model, with its class names; tiny
 * stays selectable.
 */
class DefaultModelTest {

    @TempDir Path tmp;

    @Test
    void sampleDefaultsToFashionAndTakesClassNames() throws Exception {
        Path out = tmp.resolve("fashion");
        CliRun run = CliRun.of("sample", "--classes", "sneaker,bag,0", "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("3 image(s) of fashion");
        assertThat(TokenMapFile.read(out.resolve("image_000.tokens.safetensors")).label())
                .isEqualTo(7);
        assertThat(TokenMapFile.read(out.resolve("image_001.tokens.safetensors")).label())
                .isEqualTo(8);
        assertThat(TokenMapFile.read(out.resolve("image_002.tokens.safetensors")).model())
                .isEqualTo("fashion");
        assertThat(PngImages.decode(out.resolve("image_000.png")).width()).isEqualTo(32);
    }

    @Test
    void theTinyFixtureAndUnknownNames() {
        CliRun tiny =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "1",
                        "--out",
                        tmp.resolve("t").toString());
        assertThat(tiny.exitCode()).as(tiny.err()).isZero();
        assertThat(tiny.out()).contains("of tiny");

        CliRun namesOnTiny =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "sneaker",
                        "--out",
                        tmp.resolve("u").toString());
        assertThat(namesOnTiny.exitCode()).isEqualTo(2);
        assertThat(namesOnTiny.errLines().get(0)).contains("no class names");

        CliRun unknown =
                CliRun.of(
                        "sample", "--model-name", "imagenet", "--out", tmp.resolve("v").toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.errLines().get(0)).contains("imagenet", "bundled: fashion, tiny");

        CliRun badName =
                CliRun.of("sample", "--classes", "boots", "--out", tmp.resolve("w").toString());
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.errLines().get(0)).contains("no class named 'boots'", "ankle boot");
    }
}
