package io.varflow.pipeline.eval;

import io.varflow.operators.eval.EvalPlan;
import io.varflow.operators.eval.EvalSeeds;
import io.varflow.pipeline.cli.VarflowVersion;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Drives one evaluation set to completion against a running job: finds which images already exist,
 * submits the classes that are not complete (a re-run after a crash therefore resumes, and the
 * deterministic names and seeds make any overlap rewrite identical objects), reports progress with
 * an estimate of the time left, then packs {@code samples.npz} from the store and writes {@code
 * manifest.json}.
 */
public final class EvalRun {

    /** Output file names inside the output folder. */
    public static final String NPZ = "samples.npz";

    public static final String MANIFEST = "manifest.json";

    /** Sends an evaluation request to the job. */
    @FunctionalInterface
    public interface Submitter {
        void submit(io.varflow.operators.eval.EvalRequest request) throws Exception;
    }

    /** Tells whether the job can still finish. */
    @FunctionalInterface
    public interface JobWatch {
        /** Null while the job runs; otherwise why it will not produce more images. */
        String failure();

        JobWatch NONE = () -> null;
    }

    /**
     * @param pollInterval how often the store is listed
     * @param timeout longest wait for the images
     * @param packParallelism images fetched at once while packing
     * @param submit false to only watch and pack (the set was submitted elsewhere)
     */
    public record Options(
            Duration pollInterval, Duration timeout, int packParallelism, boolean submit) {}

    /**
     * The images did not all arrive: the job stopped, or the timeout passed. The same command
     * resumes.
     */
    public static final class IncompleteException extends Exception {
        private static final long serialVersionUID = 1L;

        IncompleteException(String message) {
            super(message);
        }
    }

    /** What the run left: the archive and the manifest. */
    public record Outcome(
            Path npz, Path manifestFile, EvalManifest manifest, int imagesFoundAtStart) {}

    private final EvalPlan plan;
    private final ModelIdentity model;
    private final EvalStore store;
    private final String bucket;
    private final Options options;
    private final PrintWriter log;

    public EvalRun(
            EvalPlan plan,
            ModelIdentity model,
            EvalStore store,
            String bucket,
            Options options,
            PrintWriter log) {
        this.plan = plan;
        this.model = model;
        this.store = store;
        this.bucket = bucket;
        this.options = options;
        this.log = log;
    }

    /**
     * Runs the set to completion and writes {@code outDir/samples.npz} and {@code
     * outDir/manifest.json}.
     */
    public Outcome run(Submitter submitter, JobWatch watch, Path outDir) throws Exception {
        Files.createDirectories(outDir);
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        EvalStatus status = EvalStatus.of(plan, store);
        int foundAtStart = status.done();
        if (!status.unexpected().isEmpty()) {
            log.printf(
                    "varflow eval: ignoring %d object(s) under %s that the set does not name, e.g. %s%n",
                    status.unexpected().size(),
                    plan.prefix(),
                    status.unexpected().iterator().next());
        }
        if (status.complete()) {
            log.printf(
                    "varflow eval: all %d images of %s already in %s%n",
                    plan.total(), plan.evalId(), store.describe());
        } else if (options.submit()) {
            List<Integer> classes = status.incompleteClasses();
            EvalPlan remaining =
                    new EvalPlan(
                            plan.evalId(),
                            plan.model(),
                            classes,
                            plan.perClass(),
                            plan.seedBase(),
                            plan.sampling(),
                            plan.prefix());
            submitter.submit(remaining.toRequest());
            log.printf(
                    "varflow eval: %s: %d/%d images present; submitted %d class(es) to the job%n",
                    plan.evalId(), foundAtStart, plan.total(), classes.size());
        }
        log.flush();
        EvalProgress progress = awaitImages(status, watch, start);
        Instant generatedAt = Instant.now();
        double generationSeconds = progress.elapsed().toMillis() / 1000.0;

        log.printf("varflow eval: packing %d images into %s%n", plan.total(), outDir.resolve(NPZ));
        log.flush();
        int size = model.config().imageSize();
        EvalPacker.Packed packed =
                new EvalPacker(store, options.packParallelism())
                        .pack(plan, size, outDir.resolve(NPZ), i -> {});
        Instant packedAt = Instant.now();

        EvalManifest manifest =
                new EvalManifest(
                        EvalManifest.FORMAT,
                        VarflowVersion.version(),
                        plan.evalId(),
                        model.toManifest(),
                        EvalManifest.Sampling.of(plan.sampling()),
                        plan.seedBase(),
                        EvalSeeds.DERIVATION,
                        plan.classes(),
                        plan.perClass(),
                        plan.total(),
                        size,
                        new EvalManifest.Storage(bucket, plan.prefix(), plan.namingRule()),
                        new EvalManifest.Npz(NPZ, packed.arrays(), packed.bytes()),
                        new EvalManifest.Timings(
                                startedAt.toString(),
                                generatedAt.toString(),
                                packedAt.toString(),
                                generationSeconds,
                                packed.elapsed().toMillis() / 1000.0,
                                generationSeconds <= 0
                                        ? 0
                                        : (plan.total() - foundAtStart) / generationSeconds,
                                foundAtStart));
        Path manifestFile = outDir.resolve(MANIFEST);
        manifest.write(manifestFile);
        log.printf(
                "varflow eval: wrote %s (%d bytes) and %s%n",
                outDir.resolve(NPZ), packed.bytes(), manifestFile);
        log.flush();
        return new Outcome(outDir.resolve(NPZ), manifestFile, manifest, foundAtStart);
    }

    private EvalProgress awaitImages(EvalStatus initial, JobWatch watch, long start)
            throws Exception {
        EvalProgress progress = new EvalProgress(plan.total(), start);
        progress.observe(initial.done(), System.nanoTime());
        long deadline = start + options.timeout().toNanos();
        long lastPrint = 0;
        int printed = -1;
        EvalStatus status = initial;
        while (!status.complete()) {
            String failure = watch.failure();
            if (failure != null) {
                throw new IncompleteException(
                        "the job stopped before the set was complete ("
                                + status.done()
                                + "/"
                                + status.total()
                                + " images): "
                                + failure
                                + "; run the same command again to resume");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IncompleteException(
                        status.done()
                                + "/"
                                + status.total()
                                + " images after "
                                + EvalProgress.format(options.timeout())
                                + "; run the same command again to resume");
            }
            Thread.sleep(options.pollInterval().toMillis());
            status = EvalStatus.of(plan, store);
            long now = System.nanoTime();
            progress.observe(status.done(), now);
            // A line when the count moves, and at least every 30 s so a stalled job is visible.
            if (status.done() != printed || now - lastPrint > 30_000_000_000L) {
                log.println("varflow eval: " + progress.line());
                log.flush();
                printed = status.done();
                lastPrint = now;
            }
        }
        return progress;
    }
}
