package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    void tinyCpuBenchPrintsThroughputPhasesAndMemory() {
        Run run =
                run(
                        "bench",
                        "--preset",
                        "tiny",
                        "--batch",
                        "2",
                        "--batches",
                        "1",
                        "--warmup",
                        "0",
                        "--threads",
                        "1");
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.out)
                .contains("tiny")
                .contains("images/s")
                .contains("transformer")
                .contains("sampling")
                .contains("decode")
                .contains("peak memory")
                .contains("RSS");
    }

    @Test
    void profileWritesLibtorchsOperatorTraceOfTheMeasuredBatches(@TempDir Path dir)
            throws Exception {
        Path trace = dir.resolve("trace.json");
        Run run =
                run(
                        "bench",
                        "--preset",
                        "tiny",
                        "--batch",
                        "2",
                        "--batches",
                        "1",
                        "--warmup",
                        "0",
                        "--threads",
                        "1",
                        "--profile",
                        trace.toString());
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.out).contains("profile").contains(trace.toString());
        // libtorch writes the Chrome trace's array form (a list of events).
        JsonNode events = new ObjectMapper().readTree(trace.toFile());
        assertThat(events.isArray()).isTrue();
        List<String> names = new ArrayList<>();
        events.forEach(event -> names.add(event.path("name").asText()));
        // The generation's own kernels: convolutions of the decoder, the fused attention.
        assertThat(names)
                .contains("aten::mkldnn_convolution")
                .anyMatch(name -> name.contains("scaled_dot_product"));
    }

    @Test
    void unknownPresetIsOneLineAndExitCode2() {
        Run run = run("bench", "--preset", "d99");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err.strip())
                .contains("d99")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void aBatchThatIsNeitherANumberNorAutoIsOneLineAndExitCode2() {
        Run run = run("bench", "--preset", "tiny", "--batch", "lots");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err.strip()).contains("--batch").contains("auto").doesNotContain("\n");
    }

    @Test
    void fp16OnCpuIsRejected() {
        Run run = run("bench", "--preset", "tiny", "--dtype", "fp16");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("fp16");
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = VarflowCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
