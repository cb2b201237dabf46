package io.varflow.operators.sample;

import io.varflow.model.GeneratedImage;
import io.varflow.model.GenerationTimings;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs a batch through a model so that one bad image cannot fail its batch mates. The batch is cut
 * into runs of the limit in force; a run the model fails on is split in halves and each half run
 * again, down to single images, so only an image that fails on its own is reported failed (a
 * deterministic bad image costs about {@code 2 log2(n)} extra model calls). A run that fails for
 * lack of memory ({@link OutOfMemory}) also lowers the model's {@link BatchLimits}, so later
 * batches are cut smaller from the start. Not thread-safe: the sampling task thread's.
 */
final class IsolatingSampler {

    /**
     * What became of one image.
     *
     * @param image the generated image, null when it failed
     * @param error why it failed, null on success
     * @param runMs time of the model call that produced (or last failed) it
     * @param runSize images in that call
     */
    record Sampled(GeneratedImage image, String error, long runMs, int runSize) {}

    /** Told what isolation did, for metrics. */
    interface Listener {
        /**
         * A model call of {@code size} images of {@code model} succeeded in {@code ms}; {@code
         * timings} holds its phases and scales (none when the generator cannot tell them).
         */
        void runSucceeded(String model, int size, long ms, GenerationTimings timings);

        /** A model call of {@code size} images failed. */
        void runFailed(int size, boolean outOfMemory);

        /** An image failed on its own. */
        void imageFailed();
    }

    private final ImageGenerator generator;
    private final String model;
    private final BatchLimits limits;
    private final Listener listener;
    private final LongSupplier nanoClock;

    IsolatingSampler(
            ImageGenerator generator,
            String model,
            BatchLimits limits,
            Listener listener,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.generator = generator;
        this.model = model;
        this.limits = limits;
        this.listener = listener;
    }

    /**
     * One {@link Sampled} per task, in task order; {@code given} is the limit the batch came with.
     */
    List<Sampled> sample(List<ImageTask> tasks, int given) {
        Sampled[] out = new Sampled[tasks.size()];
        runInLimit(tasks, 0, tasks.size(), given, out);
        return List.of(out);
    }

    private void runInLimit(List<ImageTask> tasks, int from, int to, int given, Sampled[] out) {
        int start = from;
        while (start < to) {
            int end = Math.min(to, start + limits.inForce(model, given));
            run(tasks, start, end, given, out);
            start = end;
        }
    }

    private void run(List<ImageTask> tasks, int from, int to, int given, Sampled[] out) {
        int size = to - from;
        long start = nanoClock.getAsLong();
        GenerationTimings timings = new GenerationTimings();
        try {
            List<GeneratedImage> images =
                    generator.generate(new ArrayList<>(tasks.subList(from, to)), timings);
            if (images.size() != size) {
                throw new IllegalStateException(
                        "the model returned " + images.size() + " images for " + size + " tasks");
            }
            long ms = elapsedMs(start);
            listener.runSucceeded(model, size, ms, timings);
            for (int i = 0; i < size; i++) {
                out[from + i] = new Sampled(images.get(i), null, ms, size);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            long ms = elapsedMs(start);
            boolean oom = OutOfMemory.recognises(e);
            listener.runFailed(size, oom);
            if (size == 1) {
                listener.imageFailed();
                out[from] =
                        new Sampled(
                                null, e.getClass().getSimpleName() + ": " + e.getMessage(), ms, 1);
                return;
            }
            if (oom) {
                limits.outOfMemory(model, size);
            }
            int middle = from + size / 2;
            runInLimit(tasks, from, middle, given, out);
            runInLimit(tasks, middle, to, given, out);
        }
    }

    private long elapsedMs(long startNanos) {
        return (nanoClock.getAsLong() - startNanos) / 1_000_000;
    }
}
