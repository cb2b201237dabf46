package io.varflow.pipeline.job;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.catalog.BatchBudget;
import io.varflow.pipeline.config.BatchSize;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a batch limit setting into a number: a fixed number is taken as given,
 * {@code auto} asks {@link BatchBudget} for the largest batch that fits the model's device. Logs
 * the choice and why.
 */
public final class BatchLimits {

    private static final Logger LOG = LoggerFactory.getLogger(BatchLimits.class);

    private BatchLimits() {}

    /**
     * The batch limit of {@code model} served as {@code name} on the job's device, from {@code
     * batch.max-images}.
     */
    public static BatchBudget.Choice choose(JobConfig config, String name, ModelConfig model) {
        return choose(
                config,
                name,
                model,
                GeneratorFactories.runtime(config),
                config.get(JobOptions.BATCH_MAX_IMAGES));
    }

    /**
     * The batch limit of {@code model} served as {@code name} on {@code runtime}'s device, for the
     * limit {@code size} (a model entry's own or the job's {@code batch.max-images}).
     */
    public static BatchBudget.Choice choose(
            JobConfig config,
            String name,
            ModelConfig model,
            RuntimeOptions runtime,
            BatchSize size) {
        BatchBudget.Choice choice =
                size.isAuto()
                        ? BatchBudget.auto(model, runtime, config.get(JobOptions.BATCH_HOST_MEMORY))
                        : new BatchBudget.Choice(
                                size.images(), "set by " + JobOptions.BATCH_MAX_IMAGES.key());
        LOG.info(
                "model {}: batches of at most {} images ({})",
                name,
                choice.maxBatch(),
                choice.reason());
        return choice;
    }
}
