package io.varflow.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.operators.batch.TaskSeeds;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.validate.RequestValidator;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.job.GeneratorFactories;
import io.varflow.pipeline.job.JobRunner;
import io.varflow.pipeline.job.ModelCatalogs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow bench-pipeline}: images per second of the model alone (sampler-only: {@code
 * generate} on batches of the same size) and of the whole job on the embedded stack (Kafka in,
 * batching, sampling, PNG and token-map encoding, S3 puts, result tracking, exactly-once results
 * out), for the same model, batch size and images; prints both and the pipeline's overhead.
 */
@Command(
        name = "bench-pipeline",
        mixinStandardHelpOptions = true,
        description = {
            "Compare sampler-only and end-to-end images/s; print the pipeline's overhead.",
            "Same model, images and batch size on both sides; end to end runs the real job on the local stack."
        })
public final class BenchPipelineCommand implements Callable<Integer> {

    private static final String TORCH_THREADS = "ai.djl.pytorch.num_threads";

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(names = "--images", defaultValue = "512", description = "Images measured on each side (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size on both sides (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "128", description = "Images run through each side before measuring (JIT, caches) (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--sampler-only", description = "Measure the model alone and stop.")
    boolean samplerOnlyFlag;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Embedded stack folder (default .varflow/bench-<time>).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (images < batch || batch < 1 || images % batch != 0) {
            throw new UserInputException("--images must be a positive multiple of --batch");
        }
        JobConfig config = settings.toJobConfig(System.getenv()).with(JobOptions.BATCH_MAX_IMAGES, Integer.toString(batch));
        PrintWriter out = spec.commandLine().getOut();
        // Both sides share this JVM's libtorch; pin its CPU thread pool so they run under the same
        // conditions (on a busy 2-core machine two OpenMP threads ran 7x slower than one).
        if (System.getProperty(TORCH_THREADS) == null) {
            System.setProperty(TORCH_THREADS, "1");
        }
        out.printf(Locale.ROOT, "libtorch intra-op threads: %s (-D%s=N to change)%n",
                System.getProperty(TORCH_THREADS), TORCH_THREADS);
        ModelSpec model = ModelCatalogs.from(config).get(ModelCatalogs.from(config).defaultModel());

        double samplerBefore = samplerOnly(config, model);
        out.printf(Locale.ROOT, "sampler-only: %d images, batch %d: %.1f images/s%n", images, batch, samplerBefore);
        out.flush();
        if (samplerOnlyFlag) {
            return 0;
        }

        EndToEnd e2e = endToEnd(config, model);
        out.printf(Locale.ROOT,
                "end-to-end:   %d images, batch %d: %.1f images/s (first receive to last store, from the ResultEvents)%n",
                images, batch, e2e.imagesPerSecond);
        out.printf(Locale.ROOT,
                "              %.1f images/s wall clock incl. waiting for the exactly-once commit (checkpoint every %s)%n",
                e2e.wallImagesPerSecond, e2e.checkpointInterval);
        // Measured again after: on a shared machine the load changes; the mean of both is the reference.
        double samplerAfter = samplerOnly(config, model);
        out.printf(Locale.ROOT, "sampler-only: %d images, batch %d: %.1f images/s (again, after the end-to-end run)%n",
                images, batch, samplerAfter);
        double samplerOnly = (samplerBefore + samplerAfter) / 2;
        double overhead = 100.0 * (1.0 - e2e.imagesPerSecond / samplerOnly);
        out.printf(Locale.ROOT, "pipeline overhead: %.1f%% (model '%s', %s)%n", overhead, model.name(),
                config.get(JobOptions.MODEL_DEVICE));
        out.flush();
        return 0;
    }

    /**
     * Images/s of {@code generate} alone, on a worker thread as the sampling subtask runs it in the job.
     */
    private double samplerOnly(JobConfig config, ModelSpec model) throws Exception {
        double[] rate = new double[1];
        Exception[] failure = new Exception[1];
        Thread worker = new Thread(() -> {
            try (ImageGenerator generator = GeneratorFactories.from(config).open(model, 0)) {
                run(generator, warmup, 1_000_000);
                long start = System.nanoTime();
                run(generator, images, 0);
                rate[0] = images / ((System.nanoTime() - start) / 1e9);
            } catch (Exception e) {
                failure[0] = e;
            }
        }, "sampler-bench");
        worker.start();
        worker.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return rate[0];
    }

    /** Generates {@code n} images in batches with the job's default sampling settings (as requests get them). */
    private void run(ImageGenerator generator, int n, long seedBase) {
        SamplingParams params = new SamplingParams(
                RequestValidator.DEFAULT_CFG, RequestValidator.DEFAULT_TOP_K, RequestValidator.DEFAULT_TOP_P, false);
        for (int done = 0; done < n; done += batch) {
            List<ImageTask> tasks = new ArrayList<>(batch);
            for (int i = 0; i < Math.min(batch, n - done); i++) {
                int index = done + i;
                tasks.add(new ImageTask(index % 10, TaskSeeds.forImage(seedBase + index / batch, index % batch), params));
            }
            generator.generate(tasks);
        }
    }

    private record EndToEnd(double imagesPerSecond, double wallImagesPerSecond, String checkpointInterval) {}

    private EndToEnd endToEnd(JobConfig base, ModelSpec model) throws Exception {
        Path dir = workDir != null ? workDir : WorkDirs.fresh("bench");
        try (EmbeddedStack stack = EmbeddedStack.start(dir, base)) {
            JobConfig config = stack.jobConfig();
            Properties kafka = KafkaClientSettings.connection(config);
            try (OutcomeReader outcomes = new OutcomeReader(
                            kafka, config.get(JobOptions.TOPIC_RESULTS), config.get(JobOptions.TOPIC_DEAD_LETTERS), false);
                    RequestProducer producer = new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS));
                    JobRunner.LocalJob job = JobRunner.startLocal(config)) {
                job.awaitRunning(Duration.ofSeconds(120));
                List<SubmittedRequest> warm = producer.send(requests("warmup", warmup, 1_000_000));
                require(outcomes.awaitAll(warm, Duration.ofMinutes(10)));
                long start = System.nanoTime();
                List<SubmittedRequest> measured = producer.send(requests("bench", images, 0));
                require(outcomes.awaitAll(measured, Duration.ofMinutes(30)));
                double wall = (System.nanoTime() - start) / 1e9;
                long firstReceived = Long.MAX_VALUE;
                long lastCompleted = Long.MIN_VALUE;
                int counted = 0;
                for (SubmittedRequest s : measured) {
                    JsonNode event = outcomes.results().get(s.requestId()).get(0);
                    if (!"succeeded".equals(event.path("status").asText())) {
                        throw new IllegalStateException("request " + s.requestId() + " failed: " + event);
                    }
                    firstReceived = Math.min(firstReceived, event.path("timings").path("receivedAt").asLong());
                    lastCompleted = Math.max(lastCompleted, event.path("timings").path("completedAt").asLong());
                    counted += event.path("images").size();
                }
                double seconds = Math.max(1, lastCompleted - firstReceived) / 1000.0;
                return new EndToEnd(counted / seconds, counted / wall, config.get(JobOptions.JOB_CHECKPOINT_INTERVAL));
            }
        }
    }

    /** Requests of one batch each, {@code n} images in all, labels and seeds as on the sampler-only side. */
    private List<String> requests(String prefix, int n, long seedBase) {
        List<String> messages = new ArrayList<>();
        for (int done = 0, r = 0; done < n; done += batch, r++) {
            StringBuilder labels = new StringBuilder();
            for (int i = 0; i < Math.min(batch, n - done); i++) {
                labels.append(i == 0 ? "" : ",").append((done + i) % 10);
            }
            messages.add(String.format(Locale.ROOT, "{\"requestId\":\"%s-%05d\",\"labels\":[%s],\"seed\":%d}",
                    prefix, r, labels, seedBase + r));
        }
        return messages;
    }

    private static void require(List<SubmittedRequest> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " benchmark requests got no result in time");
        }
    }
}
