package io.varflow.model;

import io.varflow.model.config.ModelConfig;
import java.util.List;

/**
 * Generates images in batches. Not thread-safe: one instance per sampling subtask (one per GPU).
 */
public interface ImageGenerator extends AutoCloseable {

    ModelConfig config();

    /**
     * Generates one image per task, in task order. Tasks may mix labels, seeds and sampling
     * settings.
     */
    List<GeneratedImage> generate(List<ImageTask> tasks);

    /**
     * As {@link #generate(List)}, adding the time of each phase and scale to {@code timings} where
     * the generator can tell them (the default cannot and only generates).
     */
    default List<GeneratedImage> generate(List<ImageTask> tasks, GenerationTimings timings) {
        return generate(tasks);
    }

    @Override
    void close();
}
