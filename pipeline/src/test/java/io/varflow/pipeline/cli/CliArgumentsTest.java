package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad arguments end with one line on stderr and exit code 2; nothing starts. */
class CliArgumentsTest {

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = VarflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void runWithoutEmbeddedIsAUsageError() {
        assertThat(run("run", "--input", "x.jsonl")).isEqualTo(2);
        assertThat(err.toString()).contains("--embedded");
    }

    @Test
    void runWithAMissingInputFileNamesTheFile() {
        assertThat(run("run", "--embedded", "--input", dir.resolve("nope.jsonl").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("nope.jsonl").doesNotContain("\tat ");
    }

    @Test
    void vaeWithoutVarIsRefusedBeforeAnythingStarts() throws Exception {
        Path input = Files.writeString(dir.resolve("in.jsonl"), "{}\n");
        assertThat(run("run", "--embedded", "--input", input.toString(), "--vae", "v.pth"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("model.vae (--vae) and model.var (--var) go together");
    }

    @Test
    void unknownSettingIsAUsageError() {
        assertThat(run("job", "--set", "kafka.bootstrap.servers=x", "--print-config")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown setting 'kafka.bootstrap.servers'");
    }

    @Test
    void printConfigHidesSecretsAndShowsEffectiveValues() {
        assertThat(
                        run(
                                "job",
                                "--bootstrap-servers",
                                "k1:9093",
                                "--set",
                                "s3.secret-key=topsecret",
                                "--print-config"))
                .isEqualTo(0);
        assertThat(out.toString())
                .contains("# from --bootstrap-servers\nkafka.bootstrap-servers=k1:9093")
                .contains("# from --set\ns3.secret-key=****")
                .doesNotContain("topsecret");
    }

    @Test
    void listSettingsShowsEveryOptionWithItsEnvironmentVariable() {
        assertThat(run("job", "--list-settings")).isEqualTo(0);
        assertThat(out.toString())
                .contains(
                        "kafka.sasl.password",
                        "VARFLOW_KAFKA_SASL_PASSWORD",
                        "kafka.ssl.truststore.location");
    }

    @Test
    void submitWithoutRequestsIsAUsageError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n\n");
        assertThat(run("submit", "--input", empty.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("no requests");
    }

    @Test
    void submitsTimeBudgetFillsOnlyRequestsWithoutADeadline() {
        assertThat(
                        SubmitCommand.withTimeBudget(
                                "{\"requestId\":\"r\",\"classLabel\":1,\"count\":1}", 2000))
                .isEqualTo(
                        "{\"requestId\":\"r\",\"classLabel\":1,\"count\":1,\"timeBudgetMs\":2000}");
        String own = "{\"requestId\":\"r\",\"deadline\":\"2026-11-29T18:40:00Z\"}";
        assertThat(SubmitCommand.withTimeBudget(own, 2000)).isEqualTo(own);
        assertThat(SubmitCommand.withTimeBudget("not json", 2000)).isEqualTo("not json");
    }

    @Test
    void badSettingValuesAreOneUsageErrorNamingKeyAndSource() {
        assertThat(
                        run(
                                "job",
                                "--parallelism",
                                "0",
                                "--set",
                                "batch.max-wait=soon",
                                "--print-config"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("job.parallelism must be at least 1, got '0' (from --parallelism)")
                .contains("batch.max-wait must be a duration")
                .contains("(from --set)");
    }

    @Test
    void checkpointsWithoutAModelConfigAreRefused() {
        assertThat(run("job", "--vae", "v.pth", "--var", "m.pth", "--print-config")).isEqualTo(2);
        assertThat(err.toString()).contains("model.config (--config) is required with checkpoints");
    }

    @Test
    void newLimitsAreSettingsThatReachTheOperators() {
        assertThat(
                        run(
                                "job",
                                "--set",
                                "store.max-backoff=10ms",
                                "--set",
                                "store.initial-backoff=1s",
                                "--print-config"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("store.initial-backoff", "store.max-backoff", "do not fit together");
    }

    @Test
    void aTrueFalseSettingsFlagAloneMeansTrue() {
        assertThat(run("job", "--create-missing", "--print-config")).isEqualTo(0);
        assertThat(out.toString()).contains("# from --create-missing\njob.create-missing=true");
        out.getBuffer().setLength(0);
        assertThat(run("job", "--create-missing=false", "--print-config")).isEqualTo(0);
        assertThat(out.toString()).contains("job.create-missing=false");
    }
}
