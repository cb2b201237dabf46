package io.varflow.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.pipeline.cli.VarflowCli;
import io.varflow.pipeline.config.JobOptions;
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
 * {@code varflow bench-latency} runs a small backlog with edits through the real local stack and
 * reports a distribution for each kind of request and for the checkpoints. Only the report's shape
 * and consistency are checked, never a speed.
 */
@Timeout(600)
class BenchLatencyCommandITCase {

    private static final Pattern DISTRIBUTION =
            Pattern.compile(
                    "^(.+?):\\s+p50 ([0-9.]+) s, p95 ([0-9.]+) s, p99 ([0-9.]+) s, max ([0-9.]+) s \\(n = (\\d+)\\)");

    @TempDir Path dir;

    @Test
    void reportsLatencyPercentilesOfEditsAndBacklogAndCheckpointDurations() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = VarflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit =
                cli.execute(
                        "bench-latency",
                        "--backlog",
                        "24",
                        "--edits",
                        "2",
                        "--edit-every",
                        "1s",
                        "--warmup",
                        "2",
                        "--set",
                        JobOptions.JOB_RESULT_DELIVERY.key() + "=at-least-once",
                        "--work-dir",
                        dir.resolve("w").toString());

        assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("result delivery at-least-once"));
        List<Matcher> figures =
                lines.stream().map(DISTRIBUTION::matcher).filter(Matcher::find).toList();
        assertThat(figures)
                .extracting(m -> m.group(1).trim())
                .startsWith(
                        "edits, stored -> visible",
                        "edits, submitted -> visible",
                        "backlog, stored -> visible");
        // A backlog this small may drain before a checkpoint completes ("none").
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("checkpoints during the backlog: "));
        assertThat(figures.get(0).group(6)).isEqualTo("2");
        assertThat(figures.get(2).group(6)).isEqualTo("24");
        for (Matcher m : figures) {
            double p50 = Double.parseDouble(m.group(2));
            double p95 = Double.parseDouble(m.group(3));
            double p99 = Double.parseDouble(m.group(4));
            double max = Double.parseDouble(m.group(5));
            assertThat(p50).isLessThanOrEqualTo(p95);
            assertThat(p95).isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(max);
        }
    }
}
