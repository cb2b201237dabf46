package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code varflow edit} in-process on the bundled tiny model (64 px, scales 1, 2, 3, 4, 10 classes).
 */
class EditCommandTest {

    @TempDir Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = VarflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** A 100x80 colour gradient: not the model's size, so the command must resize it. */
    private Path gradientPng() throws Exception {
        int w = 100;
        int h = 80;
        float[] chw = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                chw[y * w + x] = x / (float) w;
                chw[w * h + y * w + x] = y / (float) h;
                chw[2 * w * h + y * w + x] = 0.5f;
            }
        }
        return Files.write(dir.resolve("gradient.png"), PngImages.encode(chw, h, w));
    }

    @Test
    void inpaintingAnImageThenVaryingAndOutpaintingItsTokens() throws Exception {
        Path first = dir.resolve("inpaint");
        assertThat(
                        run(
                                "edit",
                                "--model-name",
                                "tiny",
                                "--image",
                                gradientPng().toString(),
                                "--mode",
                                "inpaint",
                                "--box",
                                "0.25,0.25,0.75,0.75",
                                "--seed",
                                "3",
                                "--top-k",
                                "0",
                                "--top-p",
                                "0",
                                "--out",
                                first.toString()))
                .as("stderr: %s", err)
                .isEqualTo(0);
        assertThat(out.toString()).contains("is 100x80, resized to 64x64");
        for (String name :
                new String[] {
                    "image_000.png",
                    "image_000.tokens.safetensors",
                    "images.npy",
                    "tokens.json",
                    "source.png",
                    "mask.png",
                    "overview.png"
                }) {
            assertThat(first.resolve(name)).exists();
        }
        JsonNode json = new ObjectMapper().readTree(first.resolve("tokens.json").toFile());
        assertThat(json.get("mode").asText()).isEqualTo("inpaint");
        assertThat(json.get("source_resized_from").asText()).isEqualTo("100x80");
        assertThat(json.get("images").get(0).get("label").asInt()).isEqualTo(10); // the null class
        TokenMap edited = TokenMapFile.read(first.resolve("image_000.tokens.safetensors"));
        assertThat(edited.extra()).containsEntry("edit_mode", "inpaint");
        PngImages.Image mask = PngImages.decode(first.resolve("mask.png"));
        assertThat(mask.chw()[0]).isEqualTo(0f); // corner kept: black
        assertThat(mask.chw()[32 * 64 + 32]).isEqualTo(1f); // centre regenerated: white

        // Variation of the result: scales 0 and 1 kept exactly, two variants.
        Path tokens = first.resolve("image_000.tokens.safetensors");
        Path varied = dir.resolve("variation");
        assertThat(
                        run(
                                "edit",
                                "--model-name",
                                "tiny",
                                "--tokens",
                                tokens.toString(),
                                "--mode",
                                "variation",
                                "--keep-scales",
                                "2",
                                "--count",
                                "2",
                                "--batch-size",
                                "1",
                                "--seed",
                                "9",
                                "--top-k",
                                "0",
                                "--top-p",
                                "0",
                                "--out",
                                varied.toString()))
                .as("stderr: %s", err)
                .isEqualTo(0);
        int[][] source = edited.tokensPerScale();
        for (int i = 0; i < 2; i++) {
            TokenMap variant =
                    TokenMapFile.read(
                            varied.resolve(SampleOutputWriter.stem(i) + ".tokens.safetensors"));
            assertThat(variant.tokensPerScale()[0]).containsExactly(source[0]);
            assertThat(variant.tokensPerScale()[1]).containsExactly(source[1]);
            assertThat(variant.label()).isEqualTo(10); // the token map's label
        }
        assertThat(varied.resolve("mask.png")).doesNotExist();

        // Out-painting that keeps the whole image reproduces the token maps.
        Path kept = dir.resolve("keep-all");
        assertThat(
                        run(
                                "edit",
                                "--model-name",
                                "tiny",
                                "--tokens",
                                tokens.toString(),
                                "--mode",
                                "outpaint",
                                "--box",
                                "0,0,1,1",
                                "--out",
                                kept.toString()))
                .as("stderr: %s", err)
                .isEqualTo(0);
        assertThat(TokenMapFile.read(kept.resolve("image_000.tokens.safetensors")).tokensPerScale())
                .isDeepEqualTo(source);
    }

    @Test
    void classEditWithAMaskImageKeepsTheUnmarkedTokens() throws Exception {
        Path first = dir.resolve("source");
        assertThat(
                        run(
                                "edit",
                                "--model-name",
                                "tiny",
                                "--image",
                                gradientPng().toString(),
                                "--mode",
                                "outpaint",
                                "--box",
                                "0,0,1,1",
                                "--out",
                                first.toString()))
                .as("stderr: %s", err)
                .isEqualTo(0);
        int[][] source =
                TokenMapFile.read(first.resolve("image_000.tokens.safetensors")).tokensPerScale();
        // Mask image marking the right half (white).
        int s = 32;
        float[] chw = new float[3 * s * s];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
                for (int x = s / 2; x < s; x++) {
                    chw[(c * s + y) * s + x] = 1f;
                }
            }
        }
        Path mask = Files.write(dir.resolve("right-half.png"), PngImages.encode(chw, s, s));
        Path edited = dir.resolve("class-edit");
        assertThat(
                        run(
                                "edit",
                                "--model-name",
                                "tiny",
                                "--tokens",
                                first.resolve("image_000.tokens.safetensors").toString(),
                                "--mode",
                                "class-edit",
                                "--class",
                                "4",
                                "--mask",
                                mask.toString(),
                                "--top-k",
                                "0",
                                "--top-p",
                                "0",
                                "--out",
                                edited.toString()))
                .as("stderr: %s", err)
                .isEqualTo(0);
        TokenMap result = TokenMapFile.read(edited.resolve("image_000.tokens.safetensors"));
        assertThat(result.label()).isEqualTo(4);
        int[] last = result.tokensPerScale()[3];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 2; c++) {
                assertThat(last[r * 4 + c])
                        .as("left half kept at %d,%d", r, c)
                        .isEqualTo(source[3][r * 4 + c]);
            }
        }
    }

    @Test
    void badArgumentsEndWithOneLineAndExitCode2() throws Exception {
        Path png = gradientPng();
        String outDir = dir.resolve("o").toString();
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "recolour",
                    "--out",
                    outDir
                },
                "unknown edit mode 'recolour'");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "inpaint",
                    "--out",
                    outDir
                },
                "inpaint needs a region");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "class-edit",
                    "--box",
                    "0,0,.5,.5",
                    "--out",
                    outDir
                },
                "class-edit needs --class");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "inpaint",
                    "--box",
                    "0.5,0.5,0.2,0.9",
                    "--out",
                    outDir
                },
                "is empty");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "inpaint",
                    "--box",
                    "0,0,0.1,0.1",
                    "--out",
                    outDir
                },
                "empty mask");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    dir.resolve("missing.png").toString(),
                    "--mode",
                    "inpaint",
                    "--box",
                    "0,0,.5,.5",
                    "--out",
                    outDir
                },
                "missing.png");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--tokens",
                    png.toString(),
                    "--mode",
                    "variation",
                    "--keep-scales",
                    "1",
                    "--out",
                    outDir
                },
                "gradient.png");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "variation",
                    "--keep-scales",
                    "1",
                    "--out",
                    outDir
                },
                "needs --class");
        assertError(
                new String[] {
                    "edit",
                    "--model-name",
                    "tiny",
                    "--image",
                    png.toString(),
                    "--mode",
                    "inpaint",
                    "--box",
                    "0,0,.5,.5",
                    "--class",
                    "11",
                    "--out",
                    outDir
                },
                "outside 0..10");
    }

    private void assertError(String[] args, String message) {
        assertThat(run(args)).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString()).contains(message).doesNotContain("\tat ");
    }
}
