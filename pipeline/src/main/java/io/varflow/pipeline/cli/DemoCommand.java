package io.varflow.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.varflow.model.BundledModel;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.ModelEntry;
import io.varflow.pipeline.embedded.EmbeddedRun;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.job.ModelCatalogs;
import io.varflow.pipeline.report.PageLinks;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow demo}: starts a real Kafka broker, a real S3-compatible server and a Flink
 * MiniCluster on this machine, runs the job, submits a handful of requests (and one malformed
 * message, to show the dead-letter topic), waits for the results and prints what was made and where
 * it is.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the job on a local stack and show what a few requests make.",
            "Starts Kafka (KRaft), an S3-compatible server and a Flink MiniCluster on this machine (no Docker),",
            "submits a few requests to the bundled models served side by side (the trained fashion model, and",
            "the random-weight tiny fixture) or to the models given, and shows the results."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--requests",
            defaultValue = "4",
            description = "Requests to submit (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--images",
            defaultValue = "2",
            description = "Images per request (default ${DEFAULT-VALUE}).")
    int imagesPerRequest;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Folder for the broker's data, objects and checkpoints (default .varflow/demo-<time>).")
    Path workDir;

    @Option(
            names = "--timeout",
            defaultValue = "10m",
            description = "Longest wait for the results (default ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || requests > 1000 || imagesPerRequest < 1 || imagesPerRequest > 100) {
            throw new UserInputException(
                    "--requests must be in [1, 1000] and --images in [1, 100]");
        }
        JobConfig base =
                ModelCatalogs.servingBundledUnlessGiven(settings.toJobConfig(System.getenv()));
        Duration wait = DurationFlags.parse("--timeout", timeout);
        Path dir = workDir != null ? workDir : WorkDirs.fresh("demo");
        PrintWriter out = spec.commandLine().getOut();
        List<String> models =
                base.find(JobOptions.MODELS)
                        .map(m -> m.entries().stream().map(ModelEntry::name).toList())
                        .orElse(List.of());
        List<String> messages = demoRequests(requests, imagesPerRequest, models);
        out.printf("Starting Kafka, the S3-compatible server and Flink in %s ...%n", dir);
        out.flush();
        EmbeddedRun.Outcome outcome;
        Path bucketDir;
        String model;
        JobConfig config;
        long started = System.nanoTime();
        try (EmbeddedStack stack = EmbeddedStack.start(dir, base)) {
            config = stack.jobConfig();
            bucketDir = stack.bucketDir();
            model =
                    !models.isEmpty()
                            ? String.join("', '", models)
                            : config.get(JobOptions.MODEL_NAME);
            out.printf(
                    "Kafka at %s, S3 at %s (bucket %s), models '%s'.%n",
                    config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS),
                    config.get(JobOptions.S3_ENDPOINT),
                    config.get(JobOptions.S3_BUCKET),
                    model);
            out.printf(
                    "Submitting %d requests of %d images and one malformed message, then an"
                            + " in-painting edit of demo-1's first image ...%n",
                    requests, imagesPerRequest);
            out.flush();
            outcome =
                    EmbeddedRun.run(
                            stack,
                            messages,
                            first -> {
                                List<String> edits = demoEdit(first);
                                messages.addAll(edits);
                                return edits;
                            },
                            wait,
                            out,
                            "  ");
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        Path page =
                ReportPages.write(
                        spec.commandLine().getErr(),
                        "varflow demo",
                        config,
                        dir,
                        bucketDir,
                        outcome,
                        messages,
                        wall);
        printOutcome(out, outcome, bucketDir, dir, page);
        return outcome.summary().allAccountedFor() ? 0 : 1;
    }

    // Sneaker, bag, ankle boot, trouser, dress, ... for the bundled fashion model: varied shapes
    // first.
    private static final int[] DEMO_LABELS = {7, 8, 9, 1, 3, 0, 5, 2, 4, 6};

    /**
     * The demo's requests. With several models, the first (the default) serves all but the last
     * requests, and each other model one of those, so the run shows every model side by side while
     * most images come from the default.
     */
    static List<String> demoRequests(int requests, int imagesPerRequest, List<String> models) {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String model =
                    models.size() > 1
                            ? ",\"model\":\""
                                    + models.get(modelOf(i, requests, models.size()))
                                    + "\""
                            : "";
            messages.add(
                    String.format(
                            "{\"requestId\":\"demo-%d\"%s,\"classLabel\":%d,\"count\":%d,\"seed\":%d}",
                            i + 1,
                            model,
                            DEMO_LABELS[i % DEMO_LABELS.length],
                            imagesPerRequest,
                            1000 + i));
        }
        messages.add("{\"requestId\":\"demo-bad\",\"classLabel\":\"three\"}");
        return messages;
    }

    /**
     * The demo's edit: in-painting the middle of demo-1's first image, from its token map (none
     * when demo-1 stored no token map).
     */
    static List<String> demoEdit(EmbeddedRun.Outcome first) {
        List<JsonNode> events = first.results().get("demo-1");
        JsonNode event = events == null ? null : events.get(0);
        String tokenMap =
                event == null
                        ? null
                        : event.path("images").path(0).path("tokenMapUri").asText(null);
        if (tokenMap == null) {
            return List.of();
        }
        // The model that drew the source, so the tokens fit it.
        String model =
                event.hasNonNull("model")
                        ? ",\"model\":" + TextNode.valueOf(event.path("model").asText())
                        : "";
        return List.of(
                "{\"requestId\":\"demo-edit\""
                        + model
                        + ",\"mode\":\"inpaint\",\"source\":{\"uri\":"
                        + TextNode.valueOf(tokenMap)
                        + "},\"mask\":{\"boxes\":[[0.25,0.25,0.75,0.75]]},\"seed\":2000}");
    }

    /** Which of {@code models} models serves request {@code i} of {@code requests}. */
    private static int modelOf(int i, int requests, int models) {
        int others = Math.min(models - 1, requests - 1);
        int first = requests - others;
        return i < first ? 0 : i - first + 1;
    }

    private static void printOutcome(
            PrintWriter out, EmbeddedRun.Outcome outcome, Path bucketDir, Path workDir, Path page) {
        out.println();
        for (SubmittedRequest s : outcome.submitted()) {
            JsonNode dead = outcome.deadLetters().get(s.coordinates());
            List<JsonNode> events =
                    s.requestId() == null ? null : outcome.results().get(s.requestId());
            if (events != null) {
                JsonNode event = events.get(0);
                out.printf(
                        "%s (%s): %s, %d images in %d ms%n",
                        s.requestId(),
                        event.path("model").asText(),
                        event.path("status").asText(),
                        event.path("images").size(),
                        event.path("timings").path("totalMs").asLong());
                for (JsonNode image : event.path("images")) {
                    int label = image.path("label").asInt();
                    out.printf(
                            "  #%d %s (label %d): %s%s%n",
                            image.path("index").asInt(),
                            BundledModel.labelName(
                                    BundledModel.classNamesOf(event.path("model").asText()), label),
                            label,
                            localPath(bucketDir, image.path("imageUri").asText(null)),
                            image.hasNonNull("tokenMapUri")
                                    ? " + "
                                            + localPath(
                                                            bucketDir,
                                                            image.path("tokenMapUri").asText())
                                                    .getFileName()
                                    : "");
                }
            } else if (dead != null) {
                out.printf(
                        "line %d -> dead-letter topic: %s (%s)%n",
                        s.line(), dead.path("reason").asText(), dead.path("errorCode").asText());
            } else {
                out.printf("line %d: no outcome yet%n", s.line());
            }
        }
        out.println();
        out.printf("Objects (PNG images, token maps) are files under %s%n", bucketDir);
        out.printf(
                "Broker log: %s, checkpoints: %s%n",
                workDir.resolve("kafka/broker.log"), workDir.resolve("checkpoints"));
        if (page != null) {
            PageLinks.print(out, "varflow demo", page);
        }
        out.println(outcome.summary().toJson());
        out.flush();
    }

    private static Path localPath(Path bucketDir, String s3Uri) {
        if (s3Uri == null) {
            return Path.of("(not stored)");
        }
        String key = URI.create(s3Uri).getPath();
        return bucketDir.resolve(key.startsWith("/") ? key.substring(1) : key);
    }
}
