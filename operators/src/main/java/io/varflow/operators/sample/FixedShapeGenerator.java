package io.varflow.operators.sample;

import io.varflow.model.GeneratedImage;
import io.varflow.model.GenerationTimings;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the model on batches of one fixed size, whatever the batcher hands over: smaller batches are
 * padded with copies of their last task (whose results are dropped), larger ones are cut.
 *
 * <p>Why: an image's tokens depend only on its own task, but its pixels can differ in the last bits
 * with the batch size, because the numeric kernels (GEMM, convolution) pick different code paths
 * for different shapes; after rounding to 8 bits a few pixels then differ by one. With every call
 * the same shape, each image's bytes are a function of its task alone, so an evaluation set
 * regenerated after a restart, in batches of another composition, is byte-identical. The cost is
 * the padding's compute on partial batches. Enabled by the job setting {@code batch.fixed-shape}.
 */
public final class FixedShapeGenerator implements ImageGenerator {

    private final ImageGenerator delegate;
    private final int batchSize;

    public FixedShapeGenerator(ImageGenerator delegate, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.delegate = delegate;
        this.batchSize = batchSize;
    }

    /** Wraps every generator {@code factory} opens, at its model's {@code maxBatch}. */
    public static GeneratorFactory wrap(GeneratorFactory factory) {
        return (spec, subtask) ->
                new FixedShapeGenerator(factory.open(spec, subtask), spec.maxBatch());
    }

    @Override
    public ModelConfig config() {
        return delegate.config();
    }

    @Override
    public List<GeneratedImage> generate(List<ImageTask> tasks) {
        return generate(tasks, null);
    }

    @Override
    public List<GeneratedImage> generate(List<ImageTask> tasks, GenerationTimings timings) {
        List<GeneratedImage> out = new ArrayList<>(tasks.size());
        for (int from = 0; from < tasks.size(); from += batchSize) {
            List<ImageTask> chunk =
                    new ArrayList<>(tasks.subList(from, Math.min(tasks.size(), from + batchSize)));
            int real = chunk.size();
            ImageTask filler = chunk.get(real - 1);
            while (chunk.size() < batchSize) {
                chunk.add(filler);
            }
            List<GeneratedImage> images = delegate.generate(chunk, timings);
            out.addAll(images.subList(0, real));
        }
        return out;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
