package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.pipeline.report.PixelImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code varflow show}: the coarse-to-fine strip of a sampled token map, and clear errors for bad
 * files.
 */
class ShowCommandTest {

    @TempDir Path tmp;

    @Test
    void drawsOneReadableImagePerScaleEndingWithTheSampledImage() throws Exception {
        Path samples = tmp.resolve("samples");
        CliRun sample =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "3",
                        "--seed",
                        "7",
                        "--out",
                        samples.toString());
        assertThat(sample.exitCode()).as(sample.err()).isZero();
        Path strip = tmp.resolve("strip.png");

        CliRun show =
                CliRun.of(
                        "show",
                        samples.resolve("image_000.tokens.safetensors").toString(),
                        "--out",
                        strip.toString());

        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("4 scales [1, 2, 3, 4] of model tiny", "label 3");
        PngImages.Image picture = PngImages.decode(strip);
        int side = 64 * PixelImages.readableFactor(64); // the tiny model's 64 px, enlarged 2x
        assertThat(picture.height()).isEqualTo(side + 8);
        assertThat(picture.width()).isEqualTo(4 * (side + 4) + 4);
        // The last panel is the sampled image itself, enlarged with nearest-neighbour pixels.
        PngImages.Image sampled = PngImages.decode(samples.resolve("image_000.png"));
        int left = 4 + 3 * (side + 4);
        int plane = picture.height() * picture.width();
        int differing = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                for (int c = 0; c < 3; c++) {
                    float shown =
                            picture.chw()[
                                    c * plane
                                            + (4 + 2 * y + 1) * picture.width()
                                            + left
                                            + 2 * x
                                            + 1];
                    float expected = sampled.chw()[(c * 64 + y) * 64 + x];
                    differing += Math.abs(shown - expected) > 1.5f / 255 ? 1 : 0;
                }
            }
        }
        assertThat(differing).isZero();
    }

    @Test
    void refusesFilesThatAreNotTokenMapsOrDoNotFitTheModel() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.safetensors"), "hello");
        CliRun notTokens =
                CliRun.of("show", text.toString(), "--out", tmp.resolve("a.png").toString());
        assertThat(notTokens.exitCode()).isEqualTo(2);
        assertThat(notTokens.errLines().get(0)).contains("notes.safetensors");

        Path missing = tmp.resolve("missing.tokens.safetensors");
        CliRun absent =
                CliRun.of("show", missing.toString(), "--out", tmp.resolve("b.png").toString());
        assertThat(absent.exitCode()).isEqualTo(2);
        assertThat(absent.errLines().get(0)).contains("no such file");

        Path unknown = tmp.resolve("unknown.tokens.safetensors");
        TokenMapFile.write(
                new TokenMap(
                        "d16-elsewhere",
                        java.util.List.of(1),
                        new int[][] {{0}},
                        1,
                        2,
                        null,
                        Map.of()),
                unknown);
        CliRun notBundled =
                CliRun.of("show", unknown.toString(), "--out", tmp.resolve("c.png").toString());
        assertThat(notBundled.exitCode()).isEqualTo(2);
        assertThat(notBundled.errLines().get(0)).contains("d16-elsewhere", "--vae");

        Path wrongScales = tmp.resolve("wrong.tokens.safetensors");
        TokenMapFile.write(
                new TokenMap(
                        "tiny",
                        java.util.List.of(1, 2),
                        new int[][] {{0}, {1, 2, 3, 4}},
                        1,
                        2,
                        null,
                        Map.of()),
                wrongScales);
        CliRun mismatch =
                CliRun.of("show", wrongScales.toString(), "--out", tmp.resolve("d.png").toString());
        assertThat(mismatch.exitCode()).isEqualTo(2);
        assertThat(mismatch.errLines().get(0)).contains("[1, 2]", "[1, 2, 3, 4]");
    }
}
