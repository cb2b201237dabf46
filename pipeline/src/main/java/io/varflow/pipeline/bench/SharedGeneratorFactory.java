package io.varflow.pipeline.bench;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.sample.GeneratorFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a job running in this JVM's MiniCluster a generator that this JVM already holds, so a
 * benchmark can run the very same model instance alone and inside the job: two instances of one
 * model ran up to 20 % apart on the development machine, more than the difference being measured.
 * Calls are serialized on the generator, so each use sees the previous one's effects whichever
 * thread made it; closing what {@link #open} returned leaves the shared generator open.
 */
final class SharedGeneratorFactory implements GeneratorFactory, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Map<String, ImageGenerator> SHARED = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();

    /** Shares {@code generator} until {@link #close()}; the caller still owns and closes it. */
    SharedGeneratorFactory(ImageGenerator generator) {
        SHARED.put(key, generator);
    }

    @Override
    public ImageGenerator open(ModelSpec spec, int subtask) {
        ImageGenerator shared = SHARED.get(key);
        if (shared == null) {
            throw new IllegalStateException(
                    "the shared generator is gone (closed, or this is another JVM)");
        }
        return new ImageGenerator() {
            @Override
            public ModelConfig config() {
                return shared.config();
            }

            @Override
            public List<GeneratedImage> generate(List<ImageTask> tasks) {
                synchronized (shared) {
                    return shared.generate(tasks);
                }
            }

            @Override
            public void close() {
                // The sharer closes the generator.
            }
        };
    }

    @Override
    public void close() {
        SHARED.remove(key);
    }
}
