package io.varflow.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.varflow.pipeline.cli.VarflowCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code varflow bench-pipeline} runs both sides on the real local stack and reports consistent
 * figures. Only the report's shape and arithmetic are checked here, never a speed: speeds belong to
 * the benchmark itself.
 */
@Timeout(600)
class BenchPipelineCommandITCase {

    private static final Pattern RATE =
            Pattern.compile("^\\s+(sampler-only|end-to-end):\\s+([0-9.]+) images/s");
    private static final Pattern ROUND =
            Pattern.compile("^\\s+round (\\d+): overhead (-?[0-9.]+)%");
    private static final Pattern SUMMARY =
            Pattern.compile("^pipeline overhead: (-?[0-9.]+)% \\(median of 2 rounds");

    @TempDir Path dir;

    @Test
    void alternatesSamplerOnlyAndEndToEndRoundsAndReportsTheirMedianOverhead() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = VarflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        // No pinning: it would move this test JVM's threads for the tests after this one.
        int exit =
                cli.execute(
                        "bench-pipeline",
                        "--images",
                        "16",
                        "--batch",
                        "4",
                        "--warmup",
                        "8",
                        "--rounds",
                        "2",
                        "--no-pinning",
                        "--work-dir",
                        dir.resolve("work").toString());

        assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).contains("CPU placement: left to the OS");
        List<String> sides =
                lines.stream()
                        .map(RATE::matcher)
                        .filter(Matcher::find)
                        .map(m -> m.group(1))
                        .toList();
        assertThat(sides)
                .containsExactly(
                        "sampler-only", "end-to-end", "sampler-only", "end-to-end", "sampler-only");
        double[] rates =
                lines.stream()
                        .map(RATE::matcher)
                        .filter(Matcher::find)
                        .mapToDouble(m -> Double.parseDouble(m.group(2)))
                        .toArray();
        assertThat(java.util.Arrays.stream(rates).min().orElseThrow()).isPositive();

        double[] overheads =
                lines.stream()
                        .map(ROUND::matcher)
                        .filter(Matcher::find)
                        .mapToDouble(m -> Double.parseDouble(m.group(2)))
                        .toArray();
        assertThat(overheads).hasSize(2);
        // Each round is compared with the mean of the sampler-only rounds on either side of it.
        for (int r = 0; r < 2; r++) {
            double expected =
                    100 * (1 - rates[2 * r + 1] / ((rates[2 * r] + rates[2 * r + 2]) / 2));
            assertThat(overheads[r]).isCloseTo(expected, offset(0.5));
        }
        Matcher summary =
                lines.stream()
                        .map(SUMMARY::matcher)
                        .filter(Matcher::find)
                        .findFirst()
                        .orElseThrow();
        assertThat(Double.parseDouble(summary.group(1)))
                .as("the median of two rounds is their mean")
                .isCloseTo((overheads[0] + overheads[1]) / 2, offset(0.1));
    }
}
