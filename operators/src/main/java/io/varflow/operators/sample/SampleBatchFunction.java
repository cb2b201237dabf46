package io.varflow.operators.sample;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.io.PngImages;
import io.varflow.operators.WorkerPools;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.metrics.VarflowMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * emits one {@link GeneratedArtifact} per image with its 8-bit pixels and tokens. Each subtask
 * (one per GPU) loads a model the first time it sees a batch of it and keeps it until close; the
 * generator is not thread-safe and only this subtask's task thread uses it.
 *
 * <p>A batch the model fails on (an exception from {@code generate}) is not retried: its images are
 * emitted with {@code error} set, so their requests end with a failed result instead of stalling.
 * A model that cannot be loaded fails the job: that is a configuration error.
 *
 * <p>This thread only samples: pixels leave as 8-bit RGB and tokens as they are, and the store step
 * encodes the PNG and token-map files on its own threads while the next batch samples (a 256 px PNG
 * costs about 9 ms of CPU, more than a GPU spends per image). Quantizing the pixels runs on a small
 * pool, one thread per core, so a large batch's share of it stays short.
 *
 * <p>Metrics: {@code imagesPerSecond} (meter), {@code imagesGenerated}, {@code failedBatches}
 * (counters), {@code batchMs} (histogram).
 */
public final class SampleBatchFunction extends ProcessFunction<TaskBatch, GeneratedArtifact> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SampleBatchFunction.class);

    private final ModelCatalog catalog;
    private final GeneratorFactory factory;

    private transient Map<String, ImageGenerator> generators;
    private transient ExecutorService quantizers;
    private transient Meter imagesPerSecond;
    private transient Counter failedBatches;
    private transient Histogram batchMs;

    public SampleBatchFunction(ModelCatalog catalog, GeneratorFactory factory) {
        this.catalog = catalog;
        this.factory = factory;
    }

    @Override
    public void open(OpenContext openContext) {
        generators = new HashMap<>();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        quantizers = WorkerPools.perCore("varflow-quantize-" + subtask);
        MetricGroup group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        imagesPerSecond = VarflowMetrics.meter(group, VarflowMetrics.IMAGES_PER_SECOND, VarflowMetrics.IMAGES_GENERATED);
        failedBatches = group.counter(VarflowMetrics.FAILED_BATCHES);
        batchMs = VarflowMetrics.histogram(group, VarflowMetrics.BATCH_MS);
    }

    @Override
    public void processElement(TaskBatch batch, Context ctx, Collector<GeneratedArtifact> out) throws Exception {
        ImageGenerator generator = generator(batch.model());
        ModelSpec model = catalog.get(batch.model());
        List<ImageTask> tasks = new ArrayList<>(batch.size());
        for (ImageWork work : batch.tasks()) {
            tasks.add(work.toImageTask(model));
        }
        long start = System.nanoTime();
        List<GeneratedImage> images;
        try {
            images = generator.generate(tasks);
            if (images.size() != tasks.size()) {
                throw new IllegalStateException("the model returned " + images.size() + " images for "
                        + tasks.size() + " tasks");
            }
        } catch (RuntimeException e) {
            failedBatches.inc();
            LOG.warn("Batch of {} {} images failed; their requests will report the error", batch.size(),
                    batch.model(), e);
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            for (ImageWork work : batch.tasks()) {
                out.collect(GeneratedArtifact.failed(work, queueWait(batch, work), elapsed, batch.size(), error));
            }
            return;
        }
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        batchMs.update(elapsed);
        imagesPerSecond.markEvent(images.size());
        List<Future<GeneratedArtifact>> quantized = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            ImageWork work = batch.tasks()[i];
            GeneratedImage image = images.get(i);
            quantized.add(quantizers.submit(() -> new GeneratedArtifact(work,
                    work.output().storeImages() ? PngImages.toRgb(image.pixels(), image.size(), image.size()) : null,
                    image.size(), work.output().storeTokenMaps() ? image.tokensPerScale() : null,
                    queueWait(batch, work), elapsed, batch.size(), null)));
        }
        for (Future<GeneratedArtifact> artifact : quantized) {
            out.collect(await(artifact));
        }
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
            LOG.info("Loaded model {} on sampling subtask {} in {} ms (max batch {})", model, subtask,
                    (System.nanoTime() - start) / 1_000_000, spec.maxBatch());
            generators.put(model, generator);
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
