package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments and bad files end with exit code 2 and a line naming the problem, no stack trace.
 */
class SampleEncodeErrorsTest {

    @TempDir Path tmp;

    private void assertUsageError(CliRun run, String... fragments) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception:");
        String first = run.errLines().get(0);
        for (String fragment : fragments) {
            assertThat(first).contains(fragment);
        }
    }

    private String out() {
        return tmp.resolve("out").toString();
    }

    @Test
    void badSamplingArguments() {
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--cfg", "-1", "--out", out()), "cfg");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--top-p", "1.5", "--out", out()),
                "top-p");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--top-k", "many", "--out", out()),
                "--top-k");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--classes", "10", "--out", out()),
                "label 10");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--dtype", "fp16", "--out", out()),
                "--device gpu");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--dtype", "int4", "--out", out()),
                "--dtype");
        assertUsageError(CliRun.of("sample", "--model-name", "tiny", "--classes", "1"), "--out");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--frobnicate", "--out", out()),
                "--frobnicate");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--vae", "x.pth", "--out", out()),
                "--vae and --var");
        assertUsageError(
                CliRun.of("sample", "--model-name", "tiny", "--config", "d99", "--out", out()),
                "d99");
    }

    @Test
    void badCheckpointFiles() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.pth"), "not weights\n");
        Path vae = io.varflow.model.checkpoint.BundledFiles.path("varflow/tiny/vae.pth");
        Path var = io.varflow.model.checkpoint.BundledFiles.path("varflow/tiny/var.pth");
        Path config = io.varflow.model.checkpoint.BundledFiles.path("varflow/tiny/config.json");
        assertUsageError(
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        text.toString(),
                        "--var",
                        var.toString(),
                        "--config",
                        config.toString(),
                        "--out",
                        out()),
                text.toString(),
                "not a checkpoint");
        // Weights of the tiny model with the d16 config: the first mismatching key is named.
        assertUsageError(
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        vae.toString(),
                        "--var",
                        var.toString(),
                        "--config",
                        "d16",
                        "--out",
                        out()),
                "encoder.conv_in.weight");
        assertUsageError(
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        tmp.resolve("absent.pth").toString(),
                        "--var",
                        var.toString(),
                        "--config",
                        config.toString(),
                        "--out",
                        out()),
                "absent.pth");
        byte[] full = Files.readAllBytes(var);
        Path truncated =
                Files.write(tmp.resolve("var_truncated.pth"), Arrays.copyOf(full, full.length / 3));
        assertUsageError(
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        vae.toString(),
                        "--var",
                        truncated.toString(),
                        "--config",
                        config.toString(),
                        "--out",
                        out()),
                truncated.toString(),
                "truncated");
        assertUsageError(
                CliRun.of(
                        "sample",
                        "--model-name",
                        "tiny",
                        "--vae",
                        vae.toString(),
                        "--var",
                        var.toString(),
                        "--out",
                        out()),
                "--config");
    }

    @Test
    void badEncodeInputs() throws IOException {
        Path wrongShape = tmp.resolve("wrong.npy");
        Npy.writeFloat32(wrongShape, new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]);
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        wrongShape.toString(),
                        "--out",
                        out()),
                "wrong.npy",
                "(B, 3, 64, 64)");
        Path text = Files.writeString(tmp.resolve("img.npy"), "hello");
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        text.toString(),
                        "--out",
                        out()),
                "img.npy");
        Path notPng = Files.writeString(tmp.resolve("a.png"), "hello");
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images",
                        notPng.toString(),
                        "--out",
                        out()),
                "a.png");
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images",
                        tmp.resolve("missing.png").toString(),
                        "--out",
                        out()),
                "missing.png");
        assertUsageError(CliRun.of("encode", "--model-name", "tiny", "--out", out()), "--images");
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        wrongShape.toString(),
                        "--images",
                        notPng.toString(),
                        "--out",
                        out()),
                "mutually exclusive");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path good = tmp.resolve("good.npy");
        Npy.writeFloat32(good, new long[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        assertUsageError(
                CliRun.of(
                        "encode",
                        "--model-name",
                        "tiny",
                        "--images-npy",
                        good.toString(),
                        "--out",
                        file.toString()),
                "not a folder");
    }
}
