package io.varflow.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.SamplingParams;
import io.varflow.operators.eval.EvalSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalManifestTest {

    @TempDir Path dir;

    @Test
    void sha256MatchesTheStandardTestVector() throws IOException {
        Path file = Files.writeString(dir.resolve("abc"), "abc", StandardCharsets.US_ASCII);
        // FIPS 180-2 example: SHA-256("abc").
        assertThat(FileDigests.sha256(file))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(FileDigests.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(FileDigests.sha256(file));
    }

    @Test
    void roundTripsThroughJson() throws IOException {
        EvalManifest manifest =
                new EvalManifest(
                        EvalManifest.FORMAT,
                        "0.1.0",
                        "tiny",
                        new EvalManifest.Model(
                                "tiny",
                                EvalManifest.tree("{\"name\":\"tiny\",\"depth\":2}"),
                                List.of(new EvalManifest.Checkpoint("vae", "vae.pth", 3, "ab"))),
                        EvalManifest.Sampling.of(SamplingParams.FID),
                        5,
                        EvalSeeds.DERIVATION,
                        List.of(0, 1),
                        3,
                        6,
                        64,
                        new EvalManifest.Storage(
                                "b", "evals/tiny", "evals/tiny/tiny-{class:04d}/{index:04d}.png"),
                        new EvalManifest.Npz(
                                "samples.npz", Map.of("arr_0", List.of(6L, 64L, 64L, 3L)), 1000),
                        new EvalManifest.Timings(
                                "2026-01-01T00:00:00Z",
                                "2026-01-01T00:01:00Z",
                                null,
                                60,
                                null,
                                0.1,
                                0));
        Path file = dir.resolve("manifest.json");
        manifest.write(file);
        assertThat(EvalManifest.read(file)).isEqualTo(manifest);
        String json = Files.readString(file);
        assertThat(json)
                .contains("\"sha256\" : \"ab\"")
                .contains("\"depth\" : 2")
                .doesNotContain("packedAt");
        assertThat(json.indexOf("\"format\"")).isLessThan(json.indexOf("\"timings\""));
    }
}
