package io.varflow.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.pipeline.cli.JobSettingsOptions;
import io.varflow.pipeline.cli.UserInputException;
import io.varflow.pipeline.cli.WorkDirs;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.BatchSize;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.job.GeneratorFactories;
import io.varflow.pipeline.job.ModelCatalogs;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow bench-pipeline}: images per second of the model alone (sampler-only: {@code
 * generate} on batches of the same size) and of the whole job on the embedded stack (Kafka in,
 * batching, sampling, PNG and token-map encoding, S3 puts, result tracking, exactly-once results
 * out), for the same model, batch size and images; prints both and the pipeline's overhead.
 *
 * <p>Both sides run in this JVM with the stack and the job up, on one and the same model instance,
 * in alternating rounds (sampler-only, end-to-end, sampler-only, ...), after warming both up: on a
 * shared machine the speed of the model itself drifts by tens of percent between minutes, so each
 * end-to-end round is compared with the sampler-only rounds on either side of it, and the median of
 * the rounds is the figure.
 */
@Command(
        name = "bench-pipeline",
        mixinStandardHelpOptions = true,
        description = {
            "Compare sampler-only and end-to-end images/s; print the pipeline's overhead.",
            "Same model, images and batch size on both sides, in alternating rounds on one running local stack."
        })
public final class BenchPipelineCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--images",
            defaultValue = "512",
            description = "Images per round on each side (default ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--batch",
            defaultValue = "8",
            description = "Batch size on both sides (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description =
                    "End-to-end rounds, each between two sampler-only rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--warmup",
            defaultValue = "512",
            description =
                    "Images run through each side before measuring (JIT, caches) (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--no-pinning",
            description = {
                "Let the OS place all threads. By default (Linux, 2+ CPUs) the sampling threads get CPU 0 and",
                "everything else (Flink, local Kafka and S3, encoders, JIT, GC) the other CPUs, on both sides",
                "(docs/operations-local.md)."
            })
    boolean noPinning;

    @Option(names = "--sampler-only", description = "Measure the model alone (no stack) and stop.")
    boolean samplerOnlyFlag;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Embedded stack folder (default .varflow/bench-<time>).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (images < batch || batch < 1 || images % batch != 0 || warmup % batch != 0) {
            throw new UserInputException(
                    "--images and --warmup must be positive multiples of --batch");
        }
        if (rounds < 1) {
            throw new UserInputException("--rounds must be at least 1");
        }
        JobConfig config =
                settings.toJobConfig(System.getenv())
                        .with(JobOptions.BATCH_MAX_IMAGES, BatchSize.of(batch));
        PrintWriter out = spec.commandLine().getOut();
        // Both sides share this JVM's libtorch: one thread pool size for both.
        LibtorchThreads.oneUnlessSet(out);
        ModelCatalog catalog = ModelCatalogs.from(config);
        ModelSpec model = catalog.get(catalog.defaultModel());

        // The threads that call generate (this command's worker and the job's sampling subtask) get
        // CPU 0 from their first call on; everything else the other CPUs.
        SamplerCorePinning pinning = noPinning ? null : SamplerCorePinning.start();
        try (SamplerOnly sampler =
                new SamplerOnly(GeneratorFactories.from(config), model, pinning)) {
            out.println(
                    pinning == null
                            ? "CPU placement: left to the OS"
                            : pinning.failure() == null
                                    ? "CPU placement: sampling threads on CPU 0, everything else on the other CPUs (--no-pinning to leave it to the OS)"
                                    : "CPU placement: left to the OS (could not pin: "
                                            + pinning.failure()
                                            + ")");
            sampler.run(warmup, 1_000_000);
            if (samplerOnlyFlag) {
                out.printf(
                        Locale.ROOT,
                        "sampler-only: %d images, batch %d: %.1f images/s%n",
                        images,
                        batch,
                        sampler.run(images, 0).imagesPerSecond());
                return 0;
            }
            Path dir = workDir != null ? workDir : WorkDirs.fresh("bench");
            try (EmbeddedStack stack = EmbeddedStack.start(dir, config);
                    SharedGeneratorFactory shared = new SharedGeneratorFactory(sampler.generator);
                    EndToEnd e2e = new EndToEnd(stack.jobConfig(), shared)) {
                e2e.run("warmup", warmup, 1_000_000);
                out.printf(
                        Locale.ROOT,
                        "warmed up: %d images on each side; %d rounds of %d images, batch %d, model '%s' (%s)%n",
                        warmup,
                        rounds,
                        images,
                        batch,
                        model.name(),
                        config.text(JobOptions.MODEL_DEVICE));
                out.flush();
                List<Double> overheads = new ArrayList<>();
                Rate before = sampler.run(images, 0);
                print(out, "sampler-only", before);
                for (int r = 1; r <= rounds; r++) {
                    EndToEndRate job = e2e.run("bench-r" + r, images, 0);
                    print(out, "end-to-end", job.rate());
                    out.printf(
                            Locale.ROOT,
                            "                inside the job the model ran %.1f images/s and was busy %.0f%% of the "
                                    + "time; the first request took %d ms end to end%n",
                            job.rate().images() / job.modelSeconds(),
                            100.0 * job.modelSeconds() / job.rate().seconds(),
                            job.firstLatencyMs());
                    Rate after = sampler.run(images, 0);
                    print(out, "sampler-only", after);
                    double reference = (before.imagesPerSecond() + after.imagesPerSecond()) / 2;
                    double overhead = 100.0 * (1.0 - job.rate().imagesPerSecond() / reference);
                    overheads.add(overhead);
                    out.printf(
                            Locale.ROOT,
                            "  round %d: overhead %.1f%% (against the mean of the sampler-only rounds around it)%n",
                            r,
                            overhead);
                    out.flush();
                    before = after;
                }
                out.printf(
                        Locale.ROOT,
                        "pipeline overhead: %.1f%% (median of %d rounds: %s; model '%s', %s)%n",
                        median(overheads),
                        rounds,
                        format(overheads),
                        model.name(),
                        config.text(JobOptions.MODEL_DEVICE));
                out.printf(
                        Locale.ROOT,
                        "(end-to-end: images stored per second from the first request's completion to the "
                                + "last's, from the ResultEvents; the exactly-once result commit follows at the next checkpoint, every %s)%n",
                        stack.jobConfig().text(JobOptions.JOB_CHECKPOINT_INTERVAL));
                out.flush();
            }
        }
        return 0;
    }

    private static void print(PrintWriter out, String side, Rate rate) {
        out.printf(
                Locale.ROOT,
                "  %-13s %.1f images/s (%.1f s; JIT compilers busy %.0f%% of a core)%n",
                side + ":",
                rate.imagesPerSecond(),
                rate.seconds(),
                100 * rate.jitShare());
        out.flush();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        return values.stream()
                .map(v -> String.format(Locale.ROOT, "%.1f%%", v))
                .collect(Collectors.joining(", "));
    }

    /** Milliseconds the JIT compilers have spent so far (-1 where the JVM does not say). */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit.getTotalCompilationTime()
                : -1;
    }

    private record Rate(int images, double seconds, double jitShare) {
        double imagesPerSecond() {
            return images / seconds;
        }
    }

    /**
     * @param rate images completed after the first request, over the time from its completion to
     *     the last's
     * @param modelSeconds time the sampling operator spent inside {@code generate} for those images
     *     (events' sampleMs)
     * @param firstLatencyMs from the first request's receipt to its completion: the pipeline's fill
     *     time
     */
    private record EndToEndRate(Rate rate, double modelSeconds, long firstLatencyMs) {}

    /**
     * The model alone: {@code generate} on a worker thread of its own, as the sampling subtask runs
     * it in the job, with the job's default sampling settings (as requests get them). The job gets
     * this same instance ({@link SharedGeneratorFactory}).
     */
    private final class SamplerOnly implements AutoCloseable {
        private final ExecutorService worker =
                Executors.newSingleThreadExecutor(r -> new Thread(r, "sampler-bench"));

        /** The model, pinning its callers when {@code pinning} works; shared with the job. */
        private final ImageGenerator generator;

        SamplerOnly(GeneratorFactory factory, ModelSpec model, SamplerCorePinning pinning)
                throws Exception {
            ImageGenerator opened = worker.submit(() -> factory.open(model, 0)).get();
            this.generator = pinning == null ? opened : pinning.pinCallers(opened);
        }

        Rate run(int n, long seedBase) throws Exception {
            return worker.submit(
                            () -> {
                                SamplingParams params =
                                        SamplingParams
                                                .FID; // what a request without sampling fields gets
                                long start = System.nanoTime();
                                long jitStart = jitMillis();
                                for (int done = 0; done < n; done += batch) {
                                    List<ImageTask> tasks = new ArrayList<>(batch);
                                    for (int i = 0; i < Math.min(batch, n - done); i++) {
                                        int index = done + i;
                                        tasks.add(
                                                new ImageTask(
                                                        index % 10,
                                                        TaskSeeds.forImage(
                                                                seedBase + index / batch,
                                                                index % batch),
                                                        params));
                                    }
                                    synchronized (generator) { // the job uses it too, between these
                                        // rounds
                                        generator.generate(tasks);
                                    }
                                }
                                double seconds = (System.nanoTime() - start) / 1e9;
                                return new Rate(
                                        n, seconds, (jitMillis() - jitStart) / 1000.0 / seconds);
                            })
                    .get();
        }

        @Override
        public void close() throws Exception {
            try {
                worker.submit(generator::close).get();
            } finally {
                worker.shutdownNow();
            }
        }
    }

    /** The job on the embedded stack, run with requests of one batch each. */
    private final class EndToEnd implements AutoCloseable {
        private final BenchJob bench;

        EndToEnd(JobConfig config, GeneratorFactory generators) throws Exception {
            this.bench = new BenchJob(config, generators);
        }

        EndToEndRate run(String prefix, int n, long seedBase) throws Exception {
            long start = System.nanoTime();
            long jitStart = jitMillis();
            List<SubmittedRequest> sent = bench.requests.send(requests(prefix, n, seedBase));
            List<SubmittedRequest> missing = bench.outcomes.awaitAll(sent, Duration.ofMinutes(30));
            double jitShare =
                    (jitMillis() - jitStart) / 1000.0 / ((System.nanoTime() - start) / 1e9);
            if (!missing.isEmpty()) {
                throw new IllegalStateException(
                        missing.size() + " benchmark requests got no result in time");
            }
            List<JsonNode> events = new ArrayList<>(bench.succeeded(sent));
            events.sort(Comparator.comparingLong(e -> completedAt(e)));
            long firstReceived =
                    events.stream()
                            .mapToLong(e -> e.path("timings").path("receivedAt").asLong())
                            .min()
                            .orElseThrow();
            long firstCompleted = completedAt(events.get(0));
            long lastCompleted = completedAt(events.get(events.size() - 1));
            // Throughput between the first completion and the last: what the job sustains, without
            // the one-off latency of the first batch through the job (reported on its own).
            int after = events.stream().skip(1).mapToInt(e -> e.path("images").size()).sum();
            long modelMs =
                    events.stream()
                            .mapToLong(e -> e.path("timings").path("sampleMs").asLong())
                            .sum();
            long firstModelMs = events.get(0).path("timings").path("sampleMs").asLong();
            double seconds = Math.max(1, lastCompleted - firstCompleted) / 1000.0;
            return new EndToEndRate(
                    new Rate(after, seconds, jitShare),
                    (modelMs - firstModelMs) / 1000.0,
                    firstCompleted - firstReceived);
        }

        private static long completedAt(JsonNode event) {
            return event.path("timings").path("completedAt").asLong();
        }

        @Override
        public void close() throws Exception {
            bench.close();
        }
    }

    /**
     * Requests of one batch each, {@code n} images in all, labels and seeds as on the sampler-only
     * side.
     */
    private List<String> requests(String prefix, int n, long seedBase) {
        List<String> messages = new ArrayList<>();
        for (int done = 0, r = 0; done < n; done += batch, r++) {
            StringBuilder labels = new StringBuilder();
            for (int i = 0; i < Math.min(batch, n - done); i++) {
                labels.append(i == 0 ? "" : ",").append((done + i) % 10);
            }
            messages.add(
                    String.format(
                            Locale.ROOT,
                            "{\"requestId\":\"%s-%05d\",\"labels\":[%s],\"seed\":%d}",
                            prefix,
                            r,
                            labels,
                            seedBase + r));
        }
        return messages;
    }
}
