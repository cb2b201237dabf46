package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.pipeline.report.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code varflow run --embedded --input F} end to end, through the real command line. */
@Timeout(600)
class RunCommandITCase {

    @TempDir Path dir;

    @Test
    void everyLineIsAccountedForAndTheSummaryIsTheLastLine() throws Exception {
        Path input = dir.resolve("requests.jsonl");
        Files.write(
                input,
                List.of(
                        "{\"requestId\":\"run-1\",\"classLabel\":2,\"count\":2,\"seed\":1}",
                        "{\"requestId\":\"run-2\",\"labels\":[5],\"seed\":2}",
                        "",
                        "{this is not json",
                        "{\"requestId\":\"run-3\",\"classLabel\":7,\"count\":0}"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = VarflowCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit =
                cli.execute(
                        "run",
                        "--model-name",
                        "tiny",
                        "--embedded",
                        "--input",
                        input.toString(),
                        "--work-dir",
                        dir.resolve("work").toString(),
                        "--timeout",
                        "5m");

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).as("stdout: %s%nstderr: %s", out, err).isNotEmpty();
        JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(summary.path("requests").asInt()).isEqualTo(4);
        assertThat(summary.path("completed").asInt()).isEqualTo(2);
        assertThat(summary.path("deadLettered").asInt()).isEqualTo(2);
        assertThat(summary.path("images").asInt()).isEqualTo(3);
        assertThat(summary.path("objects").asInt()).as("PNG + token map per image").isEqualTo(6);
        assertThat(exit).isZero();
        assertThat(err.toString()).contains("varflow run: 4/4 requests answered, 3 images");
        assertThat(dir.resolve("work/s3/varflow/run-1"))
                .as("objects are files under the work folder")
                .isDirectory();

        Path page = dir.resolve("work/index.html");
        assertThat(err.toString()).contains("results page " + page, "open file://");
        assertThat(Files.readString(page))
                .contains("run-1", "run-2", "run-3", "message 3", "dead-lettered", "images/s");
        Optional<HeadlessChromium> chromium = HeadlessChromium.find();
        if (chromium.isPresent()) {
            HeadlessChromium.Rendered rendered =
                    chromium.get()
                            .render(
                                    page,
                                    1000,
                                    1400,
                                    Files.createDirectories(dir.resolve("chromium")));
            assertThat(rendered.requests()).containsExactly("run-1", "run-2", "message 3", "run-3");
            assertThat(rendered.imagesChecked()).as("3 images and their strips").isEqualTo(6);
            assertThat(rendered.brokenImages()).isEmpty();
            assertThat(rendered.inkedFraction()).isGreaterThan(0.05);
        }
    }
}
