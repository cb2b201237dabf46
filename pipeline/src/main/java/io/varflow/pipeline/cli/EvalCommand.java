package io.varflow.pipeline.cli;

import io.minio.MinioClient;
import io.varflow.model.BundledModel;
import io.varflow.model.SamplingParams;
import io.varflow.operators.eval.ClassSelection;
import io.varflow.operators.eval.EvalPlan;
import io.varflow.operators.eval.EvalRequest;
import io.varflow.operators.messages.Messages;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.embedded.EmbeddedRun;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.eval.EvalRun;
import io.varflow.pipeline.eval.EvalStore;
import io.varflow.pipeline.eval.FileDigests;
import io.varflow.pipeline.eval.MinioEvalStore;
import io.varflow.pipeline.eval.ModelIdentity;
import io.varflow.pipeline.job.JobRunner;
import io.varflow.pipeline.report.EvalPageBuilder;
import io.varflow.pipeline.report.PageLinks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow eval}: makes an evaluation set (K images of every selected class), shows progress
 * with the time left, and leaves {@code OUT/samples.npz} and {@code OUT/manifest.json}. With {@code
 * --embedded} everything runs on this machine; otherwise the set is submitted to the running job
 * that the Kafka and S3 settings point at. Running the same command again resumes: classes that are
 * complete in the store are not generated again.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Make an evaluation set: --per-class images of every class in --classes, as PNGs in object storage, "
                    + "packed into OUT/samples.npz (arr_0: uint8 N x H x W x 3 in class-major order; labels: int64 N) "
                    + "with OUT/manifest.json. Progress and the time left go to stderr. Run the same command again "
                    + "to resume an interrupted set. See docs/evaluation.md.",
            "",
            "Example: varflow eval --embedded --classes 0-9 --per-class 2 --out out/fashion-eval"
        })
public final class EvalCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--embedded",
            description =
                    "Start Kafka, object storage and the job (Flink MiniCluster) on this machine.")
    boolean embedded;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where samples.npz and manifest.json go.")
    Path out;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "With --embedded: folder of the broker, the objects and checkpoints (default OUT/embedded).")
    Path workDir;

    @Option(
            names = "--classes",
            paramLabel = "SPEC",
            description =
                    "Classes: 0-9, 0,5,7, 0-99,500, class names (sneaker,bag) or all (default: all classes of the"
                            + " model).")
    String classes;

    @Option(
            names = "--per-class",
            paramLabel = "K",
            defaultValue = "50",
            description = "Images per class (default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(
            names = "--seed-base",
            paramLabel = "N",
            defaultValue = "0",
            description = "Base of the per-image seeds (default ${DEFAULT-VALUE}).")
    long seedBase;

    @Mixin SamplingOptions samplingOptions = new SamplingOptions();

    @Option(
            names = "--eval-id",
            paramLabel = "ID",
            description =
                    "Name of the set (default: <model>-k<K>-<hash of the settings>, stable across re-runs).")
    String evalId;

    @Option(
            names = "--prefix",
            paramLabel = "PREFIX",
            description = "Object-key prefix of the set (default evals/<ID>).")
    String prefix;

    @Option(
            names = "--timeout",
            defaultValue = "48h",
            description =
                    "Longest wait for the images (default ${DEFAULT-VALUE}); run again to resume.")
    String timeout;

    @Option(
            names = "--poll",
            defaultValue = "5s",
            description = "How often the store is checked (default ${DEFAULT-VALUE}).")
    String poll;

    @Option(
            names = "--pack-parallelism",
            defaultValue = "8",
            description = "Images downloaded at once while packing (default ${DEFAULT-VALUE}).")
    int packParallelism;

    @Option(
            names = "--no-submit",
            description = "Do not submit anything: wait for a set submitted earlier, then pack it.")
    boolean noSubmit;

    @Override
    public Integer call() throws Exception {
        JobConfig base = settings.toLocalJobConfig(System.getenv());
        ModelIdentity model = ModelIdentity.of(base);
        EvalPlan plan = plan(model);
        EvalRun.Options options =
                new EvalRun.Options(
                        DurationFlags.parse("--poll", poll),
                        DurationFlags.parse("--timeout", timeout),
                        packParallelism,
                        !noSubmit);
        PrintWriter err = spec.commandLine().getErr();
        err.printf(
                "varflow eval: set %s: %d classes x %d = %d images of model %s, objects under %s/%n",
                plan.evalId(),
                plan.classes().size(),
                plan.perClass(),
                plan.total(),
                model.name(),
                plan.prefix());
        err.flush();
        EvalRun.Outcome outcome;
        try {
            outcome =
                    embedded
                            ? runEmbedded(base, plan, model, options, err)
                            : runOnCluster(base, plan, model, options, err);
        } catch (EvalRun.IncompleteException e) {
            // Not a usage error: the set is intact in the store and the same command resumes it.
            err.println("varflow eval: " + e.getMessage());
            err.flush();
            return 1;
        }
        spec.commandLine().getOut().println(outcome.npz());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private EvalRun.Outcome runEmbedded(
            JobConfig base,
            EvalPlan plan,
            ModelIdentity model,
            EvalRun.Options options,
            PrintWriter err)
            throws Exception {
        Path dir = (workDir != null ? workDir : out.resolve("embedded")).toAbsolutePath();
        // The set's state is its objects; a fresh broker and job each time keep a resumed run from
        // replaying the requests of the interrupted one.
        deleteTree(dir.resolve("kafka"));
        deleteTree(dir.resolve("checkpoints"));
        // Byte-reproducible sets: every model call has the same shape (FixedShapeGenerator).
        base = base.with(JobOptions.BATCH_FIXED_SHAPE, true);
        try (EmbeddedStack stack = EmbeddedStack.start(dir, base);
                JobRunner.LocalJob job = JobRunner.startLocal(stack.jobConfig())) {
            job.awaitRunning(Duration.ofSeconds(120));
            JobConfig config = stack.jobConfig();
            err.printf(
                    "varflow eval: embedded stack in %s; images under %s%n",
                    dir, stack.bucketDir());
            EmbeddedRun.printMonitoring(err, "varflow eval: ", job);
            return run(
                    config,
                    plan,
                    model,
                    options,
                    err,
                    () -> {
                        try {
                            JobStatus status = job.status();
                            return status.isGloballyTerminalState()
                                    ? "the job ended as " + status
                                    : null;
                        } catch (Exception e) {
                            return "cannot reach the job: " + e.getMessage();
                        }
                    });
        }
    }

    private EvalRun.Outcome runOnCluster(
            JobConfig config,
            EvalPlan plan,
            ModelIdentity model,
            EvalRun.Options options,
            PrintWriter err)
            throws Exception {
        return run(config, plan, model, options, err, EvalRun.JobWatch.NONE);
    }

    private EvalRun.Outcome run(
            JobConfig config,
            EvalPlan plan,
            ModelIdentity model,
            EvalRun.Options options,
            PrintWriter err,
            EvalRun.JobWatch watch)
            throws Exception {
        String bucket = config.require(JobOptions.S3_BUCKET);
        MinioClient client =
                MinioClient.builder()
                        .endpoint(config.require(JobOptions.S3_ENDPOINT))
                        .region(config.require(JobOptions.S3_REGION))
                        .credentials(
                                config.require(JobOptions.S3_ACCESS_KEY),
                                config.require(JobOptions.S3_SECRET_KEY))
                        .build();
        try (MinioEvalStore store =
                new MinioEvalStore(client, bucket, config.get(JobOptions.S3_PREFIX), true)) {
            EvalRun run = new EvalRun(plan, model, store, bucket, options, err);
            EvalRun.Outcome outcome = run.run(request -> submit(config, request), watch, out);
            writePage(plan, model, store, outcome, err);
            return outcome;
        }
    }

    /** OUT/index.html; a page that cannot be written is reported, the set stays complete. */
    private void writePage(
            EvalPlan plan,
            ModelIdentity model,
            EvalStore store,
            EvalRun.Outcome outcome,
            PrintWriter err) {
        try {
            List<String> names =
                    BundledModel.find(model.name()).map(BundledModel::classNames).orElse(List.of());
            Path page =
                    new EvalPageBuilder(out, store, names)
                            .build(plan, outcome.manifest(), outcome.npz(), outcome.manifestFile())
                            .write(out);
            PageLinks.print(err, "varflow eval", page);
        } catch (Exception e) {
            err.printf("varflow eval: could not write the results page: %s%n", e);
            err.flush();
        }
    }

    private static void submit(JobConfig config, EvalRequest request) throws IOException {
        try (RequestProducer producer =
                new RequestProducer(
                        KafkaClientSettings.connection(config),
                        config.get(JobOptions.TOPIC_REQUESTS))) {
            producer.send(List.of(Messages.toJson(request)));
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new IOException(
                    "cannot submit the set to "
                            + config.get(JobOptions.TOPIC_REQUESTS)
                            + " at "
                            + config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    EvalPlan plan(ModelIdentity model) {
        SamplingParams sampling = samplingOptions.params();
        List<String> names =
                BundledModel.find(model.name()).map(BundledModel::classNames).orElse(List.of());
        List<Integer> selected =
                ClassSelection.parse(
                        ClassLabels.numbersOnly(classes, names, "--classes"),
                        model.config().numClasses());
        String id = evalId != null ? evalId : defaultEvalId(model.name(), selected, sampling);
        String requestModel = settings.flag(JobOptions.MODEL_NAME); // null: the job's default model
        return new EvalPlan(
                id,
                requestModel,
                selected,
                perClass,
                seedBase,
                sampling,
                prefix != null ? prefix : "evals/" + id);
    }

    /**
     * {@code <model>-k<K>-<8 hex>}: the same settings give the same id, so a re-run resumes the
     * same set.
     */
    private String defaultEvalId(
            String modelName, List<Integer> selected, SamplingParams sampling) {
        String settingsText =
                String.format(
                        Locale.ROOT,
                        "%s|%s|%d|%d|%s|%d|%s|%s",
                        modelName,
                        ClassSelection.format(selected),
                        perClass,
                        seedBase,
                        Double.toString(sampling.cfg()),
                        sampling.topK(),
                        Double.toString(sampling.topP()),
                        sampling.smooth());
        String hash =
                FileDigests.sha256(settingsText.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        String safeModel = modelName.replaceAll("[^A-Za-z0-9._-]", "_");
        return safeModel + "-k" + perClass + "-" + hash;
    }

    /**
     * Deletes {@code dir}. A broker left by a killed run may still be shutting down and writing
     * there for a few seconds, so failures are retried for up to a minute.
     */
    private static void deleteTree(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (!Files.exists(dir)) {
                    return;
                }
                try (var paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException(
                            "cannot clear " + dir + " (is an earlier run still going?): " + e, e);
                }
                Thread.sleep(500);
            }
        }
    }
}
