package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.TaskSeeds;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.io.Npy;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code varflow sample} and {@code varflow encode} on the bundled tiny model reproduce the outputs
 * the official implementation recorded in the fixture (model/src/test/resources/var-tiny).
 */
class SampleEncodeGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    static Path fixture(String name) {
        String root = System.getProperty("varflow.repo.root", "..");
        return Path.of(root, "model", "src", "test", "resources", "var-tiny", name);
    }

    static JsonNode golden() throws IOException {
        return JSON.readTree(fixture("golden.json").toFile());
    }

    private static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).isLessThanOrEqualTo(tolerance);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void sampleReproducesTheGoldenGreedyRuns(int run) throws IOException {
        JsonNode spec = golden().get("generate").get(run);
        StringBuilder classes = new StringBuilder();
        spec.get("labels")
                .forEach(l -> classes.append(classes.length() == 0 ? "" : ",").append(l.asInt()));
        Path out = tmp.resolve("sample");
        CliRun result =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        classes.toString(),
                        "--cfg",
                        spec.get("cfg").asText(),
                        "--top-k",
                        "1",
                        "--top-p",
                        "0",
                        "--seed",
                        "5",
                        "--batch-size",
                        "3",
                        "--out",
                        out.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();

        JsonNode images = JSON.readTree(out.resolve("tokens.json").toFile()).get("images");
        int batch = spec.get("labels").size();
        assertThat(images).hasSize(batch);
        JsonNode expectedTokens = spec.get("tokens_per_scale"); // [scale][image][token]
        for (int b = 0; b < batch; b++) {
            JsonNode image = images.get(b);
            assertThat(image.get("label").asInt()).isEqualTo(spec.get("labels").get(b).asInt());
            assertThat(image.get("seed").asLong()).isEqualTo(TaskSeeds.forImage(5, b));
            for (int s = 0; s < expectedTokens.size(); s++) {
                assertThat(image.get("tokens_per_scale").get(s))
                        .as("image %d scale %d", b, s)
                        .isEqualTo(expectedTokens.get(s).get(b));
            }
            TokenMap map =
                    TokenMapFile.read(
                            out.resolve(String.format("image_%03d.tokens.safetensors", b)));
            assertThat(map.label()).isEqualTo(spec.get("labels").get(b).asInt());
            assertThat(map.sampling().topK()).isEqualTo(1);
            assertThat((JsonNode) JSON.valueToTree(map.tokensPerScale()))
                    .isEqualTo(image.get("tokens_per_scale"));
        }

        Npy.NpyArray actual = Npy.read(out.resolve("images.npy"));
        Npy.NpyArray expected = Npy.read(fixture(spec.get("image_file").asText()));
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertClose(actual.floats(), expected.floats(), 1e-4);

        // The PNG holds the same image in 8 bits.
        PngImages.Image png = PngImages.decode(out.resolve("image_000.png"));
        int plane = 3 * 64 * 64;
        for (int i = 0; i < plane; i += 97) {
            assertThat(png.chw()[i] * 255)
                    .isCloseTo(expected.floats()[i] * 255, within(0.5001f + 255e-4f));
        }
    }

    @Test
    void sampleWithExplicitCheckpointsAndConfigMatchesTheBundledDefault() throws IOException {
        Path out = tmp.resolve("explicit");
        CliRun result =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        BundledFiles.path("varflow/tiny/vae.pth").toString(),
                        "--var",
                        BundledFiles.path("varflow/tiny/var.pth").toString(),
                        "--config",
                        BundledFiles.path("varflow/tiny/config.json").toString(),
                        "--classes",
                        "3",
                        "--cfg",
                        "1.5",
                        "--top-k",
                        "1",
                        "--out",
                        out.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode spec = golden().get("generate").get(1);
        JsonNode tokens =
                JSON.readTree(out.resolve("tokens.json").toFile())
                        .get("images")
                        .get(0)
                        .get("tokens_per_scale");
        for (int s = 0; s < tokens.size(); s++) {
            assertThat(tokens.get(s))
                    .isEqualTo(spec.get("tokens_per_scale").get(s).get(3)); // label 3 is image 3
        }
    }

    @Test
    void samplingWithDefaultsIsReproducibleFromTheSeed() throws IOException {
        CliRun first =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "1,7",
                        "--seed",
                        "42",
                        "--out",
                        tmp.resolve("a").toString());
        CliRun second =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "7",
                        "--seed",
                        "42",
                        "--out",
                        tmp.resolve("b").toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(second.exitCode()).as(second.err()).isZero();
        JsonNode a = JSON.readTree(tmp.resolve("a/tokens.json").toFile()).get("images");
        JsonNode b = JSON.readTree(tmp.resolve("b/tokens.json").toFile()).get("images");
        // Image 0 of the second run has the seed of image 0, not of image 1: different streams.
        assertThat(b.get(0).get("seed").asLong()).isEqualTo(a.get(0).get("seed").asLong());
        CliRun again =
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--classes",
                        "1,7",
                        "--seed",
                        "42",
                        "--batch-size",
                        "1",
                        "--out",
                        tmp.resolve("c").toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode c = JSON.readTree(tmp.resolve("c/tokens.json").toFile()).get("images");
        assertThat(c).isEqualTo(a); // same seeds, other batching: same tokens
        // Pixels agree to float rounding (convolutions may sum in another order for another batch
        // size).
        assertClose(
                Npy.read(tmp.resolve("c/images.npy")).floats(),
                Npy.read(tmp.resolve("a/images.npy")).floats(),
                1e-5);
    }

    @Test
    void encodeReproducesTheGoldenTokensAndReconstruction() throws IOException {
        Path out = tmp.resolve("encode");
        CliRun result =
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        fixture("encode_input.npy").toString(),
                        "--out",
                        out.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode spec = golden().get("encode");
        JsonNode images = JSON.readTree(out.resolve("tokens.json").toFile()).get("images");
        assertThat(images).hasSize(2);
        JsonNode expected = spec.get("tokens_per_scale"); // [scale][image][token]
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < expected.size(); s++) {
                assertThat(images.get(b).get("tokens_per_scale").get(s))
                        .isEqualTo(expected.get(s).get(b));
            }
        }
        Npy.NpyArray recon = Npy.read(out.resolve("recon.npy"));
        Npy.NpyArray golden = Npy.read(fixture(spec.get("recon_file").asText()));
        assertThat(recon.shape()).containsExactly(2, 3, 64, 64);
        assertClose(recon.floats(), golden.floats(), 1e-4);
    }

    @Test
    void encodingPngsEqualsEncodingTheSamePixelsAsNpy() throws IOException {
        // Quantize the fixture input to 8 bits, write it as PNGs and as an npy of exactly those
        // values.
        float[] input = Npy.read(fixture("encode_input.npy")).floats();
        int plane = 3 * 64 * 64;
        float[] eightBit = new float[input.length];
        for (int b = 0; b < 2; b++) {
            float[] chw = new float[plane];
            for (int i = 0; i < plane; i++) {
                chw[i] = (input[b * plane + i] + 1) / 2;
            }
            byte[] png = PngImages.encode(chw, 64, 64);
            Files.write(tmp.resolve("in" + b + ".png"), png);
            float[] decoded = PngImages.decode(png).chw();
            for (int i = 0; i < plane; i++) {
                eightBit[b * plane + i] = decoded[i] * 2 - 1;
            }
        }
        Npy.writeFloat32(tmp.resolve("in.npy"), new long[] {2, 3, 64, 64}, eightBit);
        CliRun fromPng =
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images",
                        tmp.resolve("in0.png") + "," + tmp.resolve("in1.png"),
                        "--out",
                        tmp.resolve("png").toString());
        CliRun fromNpy =
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        tmp.resolve("in.npy").toString(),
                        "--out",
                        tmp.resolve("npy").toString());
        assertThat(fromPng.exitCode()).as(fromPng.err()).isZero();
        assertThat(fromNpy.exitCode()).as(fromNpy.err()).isZero();
        assertThat(JSON.readTree(tmp.resolve("png/tokens.json").toFile()))
                .isEqualTo(JSON.readTree(tmp.resolve("npy/tokens.json").toFile()));
        assertThat(Files.readAllBytes(tmp.resolve("png/recon.npy")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("npy/recon.npy")));
    }
}
