package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
