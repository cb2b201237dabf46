package io.varflow.operators.sample;

import io.varflow.model.GeneratedImage;
import io.varflow.model.GenerationTimings;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.io.PngImages;
import io.varflow.operators.WorkerPools;
import io.varflow.operators.batch.DeadlineMiss;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.metrics.VarflowMetrics;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU operator: runs each {@link TaskBatch} through its model's {@link ImageGenerator} and
 * emits one {@link GeneratedArtifact} per image with its 8-bit pixels and tokens. Each subtask (one
 * per GPU) loads a model the first time it sees a batch of it and keeps it until close; the
 * generator is not thread-safe and only this subtask's task thread uses it.
 *
 * <p>One image the model fails on does not fail its batch mates: {@link IsolatingSampler} retries
 * the halves of a failed run down to single images, and only images that fail on their own are
 * emitted with {@code error} set (their requests end failed instead of stalling). A run that fails
 * for lack of memory lowers this subtask's batch limit for the model ({@link BatchLimits}, logged),
 * which applies on top of the limit each batch arrives with. A model that cannot be loaded fails
 * the job: that is a configuration error.
 *
 * <p>Deadlines: an image whose deadline has passed when its batch arrives, or is nearer than the
 * model's measured call time on this subtask ({@link BatchTimes}), is not sampled; it leaves at
 * once as a missed image ({@link DeadlineMiss}) and its request ends {@code expired}.
 *
 * <p>This thread only samples: pixels leave as 8-bit RGB and tokens as they are, and the store step
 * encodes the PNG and token-map files on its own threads while the next batch samples (a 256 px PNG
 * costs about 9 ms of CPU, more than a GPU spends per image). Quantizing the pixels runs on a small
 * pool, one thread per core, so a large batch's share of it stays short.
 *
 * <p>Metrics: {@code imagesPerSecond} (meter), {@code imagesGenerated}, {@code failedBatches}
 * (model calls that failed, halves included), {@code isolatedFailures} (images that failed on their
 * own) (counters), {@code batchMs} (histogram, successful model calls), and per model (group {@code
 * model=<name>}) {@code batchLimit} (gauge, the learned limit; the catalog's until memory ran out)
 * and {@code expectedBatchMs} (gauge); {@code expiredImages} (counter, images refused for their
 * deadline).
 */
public final class SampleBatchFunction extends ProcessFunction<TaskBatch, GeneratedArtifact> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SampleBatchFunction.class);

    private final ModelCatalog catalog;
    private final GeneratorFactory factory;
    private final NanoClock nanoClock;

    private transient Map<String, ImageGenerator> generators;
    private transient ExecutorService quantizers;
    private transient Meter imagesPerSecond;
    private transient Counter failedBatches;
    private transient Histogram batchMs;
    private transient Counter isolatedFailures;
    private transient MetricGroup metrics;
    private transient BatchLimits limits;
    private transient IsolatingSampler.Listener isolation;
    // Per model: its metric group and one histogram per scale, registered as scales are first
    // timed.
    private transient Map<String, MetricGroup> modelGroups;
    private transient Map<String, List<Histogram>> scaleMs;
    private transient BatchTimes batchTimes;
    private transient Counter expiredImages;

    public SampleBatchFunction(ModelCatalog catalog, GeneratorFactory factory) {
        this(catalog, factory, System::nanoTime);
    }

    /** With the clock that times model calls (tests drive it to stand for slow batches). */
    SampleBatchFunction(ModelCatalog catalog, GeneratorFactory factory, NanoClock nanoClock) {
        this.catalog = catalog;
        this.factory = factory;
        this.nanoClock = nanoClock;
    }

    /** A serializable source of {@link System#nanoTime()}-like readings. */
    @FunctionalInterface
    interface NanoClock extends Serializable {
        long nanos();
    }

    @Override
    public void open(OpenContext openContext) {
        generators = new HashMap<>();
        modelGroups = new HashMap<>();
        scaleMs = new HashMap<>();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        quantizers = WorkerPools.perCore("varflow-quantize-" + subtask);
        MetricGroup group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        imagesPerSecond =
                VarflowMetrics.meter(
                        group, VarflowMetrics.IMAGES_PER_SECOND, VarflowMetrics.IMAGES_GENERATED);
        failedBatches = group.counter(VarflowMetrics.FAILED_BATCHES);
        batchMs = VarflowMetrics.histogram(group, VarflowMetrics.BATCH_MS);
        isolatedFailures = group.counter(VarflowMetrics.ISOLATED_FAILURES);
        metrics = group;
        limits = new BatchLimits();
        batchTimes = new BatchTimes();
        expiredImages = group.counter(VarflowMetrics.EXPIRED_IMAGES);
        isolation =
                new IsolatingSampler.Listener() {
                    @Override
                    public void runSucceeded(
                            String model, int size, long ms, GenerationTimings timings) {
                        batchMs.update(ms);
                        recordScales(model, timings);
                        batchTimes.record(model, ms);
                        imagesPerSecond.markEvent(size);
                    }

                    @Override
                    public void runFailed(int size, boolean outOfMemory) {
                        failedBatches.inc();
                        LOG.debug(
                                "A model call of {} images failed (out of memory: {}); retrying its halves",
                                size,
                                outOfMemory);
                    }

                    @Override
                    public void imageFailed() {
                        isolatedFailures.inc();
                    }
                };
    }

    /** Where each call spends its time, scale by scale ({@link VarflowMetrics#SCALE_MS}). */
    private void recordScales(String model, GenerationTimings timings) {
        List<Histogram> histograms = scaleMs.computeIfAbsent(model, m -> new ArrayList<>());
        for (int si = 0; si < timings.scales(); si++) {
            if (si == histograms.size()) {
                histograms.add(
                        VarflowMetrics.histogram(
                                modelGroups
                                        .get(model)
                                        .addGroup(VarflowMetrics.SCALE_GROUP, Integer.toString(si)),
                                VarflowMetrics.SCALE_MS));
            }
            histograms.get(si).update(Math.round(timings.scaleMs(si)));
        }
    }

    @Override
    public void processElement(TaskBatch batch, Context ctx, Collector<GeneratedArtifact> out)
            throws Exception {
        ImageGenerator generator = generator(batch.model());
        ModelSpec model = catalog.get(batch.model());
        List<ImageWork> works = inTime(batch, ctx.timerService().currentProcessingTime(), out);
        List<ImageTask> tasks = new ArrayList<>(works.size());
        for (ImageWork work : works) {
            tasks.add(work.toImageTask(model));
        }
        List<IsolatingSampler.Sampled> sampled =
                new IsolatingSampler(generator, batch.model(), limits, isolation, nanoClock::nanos)
                        .sample(tasks, batch.maxBatch());
        List<Future<GeneratedArtifact>> quantized = new ArrayList<>(sampled.size());
        for (int i = 0; i < sampled.size(); i++) {
            ImageWork work = works.get(i);
            IsolatingSampler.Sampled s = sampled.get(i);
            if (s.error() != null) {
                LOG.warn(
                        "{} failed in the model on its own; its request will report the error: {}",
                        work,
                        s.error());
                quantized.add(
                        CompletableFuture.completedFuture(
                                GeneratedArtifact.failed(
                                        work,
                                        queueWait(batch, work),
                                        s.runMs(),
                                        s.runSize(),
                                        s.error())));
                continue;
            }
            GeneratedImage image = s.image();
            quantized.add(
                    quantizers.submit(
                            () ->
                                    new GeneratedArtifact(
                                            work,
                                            work.output().storeImages()
                                                    ? PngImages.toRgb(
                                                            image.pixels(),
                                                            image.size(),
                                                            image.size())
                                                    : null,
                                            image.size(),
                                            work.output().storeTokenMaps()
                                                    ? image.tokensPerScale()
                                                    : null,
                                            queueWait(batch, work),
                                            s.runMs(),
                                            s.runSize(),
                                            null)));
        }
        for (Future<GeneratedArtifact> artifact : quantized) {
            out.collect(await(artifact));
        }
    }

    /**
     * The images of {@code batch} that can still make their deadline; the others are emitted as
     * missed right away, unsampled: those whose deadline passed on the way here, and those that
     * would miss it given this model's measured call time on this subtask.
     */
    private List<ImageWork> inTime(TaskBatch batch, long now, Collector<GeneratedArtifact> out) {
        long expected = batchTimes.expectedMs(batch.model());
        List<ImageWork> inTime = new ArrayList<>(batch.size());
        for (ImageWork work : batch.tasks()) {
            long deadline = work.schedule().deadline();
            if (deadline <= now) {
                expiredImages.inc();
                out.collect(DeadlineMiss.passed(work, now));
            } else if (deadline - now < expected) {
                expiredImages.inc();
                out.collect(DeadlineMiss.cannotMakeIt(work, now, expected));
            } else {
                inTime.add(work);
            }
        }
        return inTime;
    }

    private static GeneratedArtifact await(Future<GeneratedArtifact> artifact) throws Exception {
        try {
            return artifact.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static long queueWait(TaskBatch batch, ImageWork work) {
        return Math.max(0, batch.formedAt() - work.schedule().enqueuedAt());
    }

    private ImageGenerator generator(String model) throws Exception {
        ImageGenerator generator = generators.get(model);
        if (generator == null) {
            ModelSpec spec = catalog.get(model);
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            long start = System.nanoTime();
            generator = factory.open(spec, subtask);
            LOG.info(
                    "Loaded model {} on sampling subtask {} in {} ms (max batch {})",
                    model,
                    subtask,
                    (System.nanoTime() - start) / 1_000_000,
                    spec.maxBatch());
            generators.put(model, generator);
            MetricGroup modelGroup = metrics.addGroup(VarflowMetrics.MODEL_GROUP, model);
            modelGroups.put(model, modelGroup);
            modelGroup.gauge(
                    VarflowMetrics.BATCH_LIMIT, () -> limits.learnedOr(model, spec.maxBatch()));
            modelGroup.gauge(VarflowMetrics.EXPECTED_BATCH_MS, () -> batchTimes.expectedMs(model));
        }
        return generator;
    }

    @Override
    public void close() throws Exception {
        if (quantizers != null) {
            quantizers.shutdownNow();
            quantizers = null;
        }
        if (generators == null) {
            return;
        }
        RuntimeException first = null;
        for (Map.Entry<String, ImageGenerator> e : generators.entrySet()) {
            try {
                e.getValue().close();
            } catch (RuntimeException ex) {
                LOG.warn("Closing model {} failed", e.getKey(), ex);
                if (first == null) {
                    first = ex;
                } else {
                    first.addSuppressed(ex);
                }
            }
        }
        generators.clear();
        if (first != null) {
            throw first;
        }
    }
}
