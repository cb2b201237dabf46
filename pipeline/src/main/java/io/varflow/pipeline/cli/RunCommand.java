package io.varflow.pipeline.cli;

import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.embedded.EmbeddedRun;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.report.PageLinks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow run --embedded --input requests.jsonl}: the job on the embedded stack, fed from a
 * JSONL file of raw request lines (invalid ones go to the dead-letter topic). Ends when every line
 * has a ResultEvent or a dead letter; the last line printed is the JSON summary.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the job on a local stack for the requests in a JSONL file.",
            "Starts a real Kafka broker, an S3-compatible server and a Flink MiniCluster; prints one JSON summary line last:",
            "{\"requests\":N,\"completed\":N,\"deadLettered\":N,\"images\":N,\"objects\":N}.",
            "Exit 0 when every request completed or was dead-lettered."
        })
public final class RunCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--embedded",
            required = true,
            description =
                    "Start Kafka, object storage and Flink on this machine (the only mode of run).")
    boolean embedded;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "JSONL file of requests.")
    Path input;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Folder for the broker's data, objects and checkpoints (default .varflow/run-<time>).")
    Path workDir;

    @Option(
            names = "--timeout",
            defaultValue = "30m",
            description = "Longest wait for all outcomes (default ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        List<String> lines = RequestLines.read(input);
        if (lines.isEmpty()) {
            throw new UserInputException(input + " holds no requests");
        }
        Duration wait = DurationFlags.parse("--timeout", timeout);
        JobConfig base = settings.toLocalJobConfig(System.getenv());
        Path dir = workDir != null ? workDir : WorkDirs.fresh("run");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedRun.Outcome outcome;
        JobConfig config;
        Path bucketDir;
        long started = System.nanoTime();
        try (EmbeddedStack stack = EmbeddedStack.start(dir, base)) {
            config = stack.jobConfig();
            bucketDir = stack.bucketDir();
            err.printf(
                    "varflow run: %d requests from %s; objects under %s%n",
                    lines.size(), input, stack.bucketDir());
            err.flush();
            outcome = EmbeddedRun.run(stack, lines, wait, err, "varflow run: ");
        }
        for (SubmittedRequest s : outcome.unaccounted()) {
            err.printf(
                    "varflow run: line %d (%s) has no outcome after %s%n",
                    s.line(), s.coordinates(), timeout);
        }
        err.flush();
        Path page =
                ReportPages.write(
                        err,
                        "varflow run",
                        config,
                        dir,
                        bucketDir,
                        outcome,
                        lines,
                        Duration.ofNanos(System.nanoTime() - started));
        if (page != null) {
            PageLinks.print(err, "varflow run", page);
        }
        out.println(outcome.summary().toJson());
        out.flush();
        return outcome.summary().allAccountedFor() ? 0 : 1;
    }
}
