package io.varflow.pipeline.job;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.catalog.BatchBudget;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that reads {@code batch.max-images}: a positive number is taken as given, {@code auto}
 * asks {@link BatchBudget} for the largest batch that fits the sampler's device. Logs the choice.
 */
public final class BatchLimits {

    private static final Logger LOG = LoggerFactory.getLogger(BatchLimits.class);
    public static final String AUTO = "auto";

    private BatchLimits() {}

    /** The batch limit for {@code model} served as {@code name} under {@code config}. */
    public static BatchBudget.Choice choose(JobConfig config, String name, ModelConfig model) {
        String text = config.get(JobOptions.BATCH_MAX_IMAGES).trim();
        BatchBudget.Choice choice;
        if (AUTO.equalsIgnoreCase(text)) {
            RuntimeOptions options = new RuntimeOptions(
                    RuntimeOptions.Device.parse(config.require(JobOptions.MODEL_DEVICE)),
                    RuntimeOptions.Precision.parse(config.require(JobOptions.MODEL_DTYPE)));
            long host = BatchBudget.parseBytes(JobOptions.BATCH_HOST_MEMORY.key(), config.get(JobOptions.BATCH_HOST_MEMORY));
            choice = BatchBudget.auto(model, options, host);
        } else {
            choice = new BatchBudget.Choice(config.getPositiveInt(JobOptions.BATCH_MAX_IMAGES),
                    "set by " + JobOptions.BATCH_MAX_IMAGES.key());
        }
        LOG.info("model {}: batches of at most {} images ({})", name, choice.maxBatch(), choice.reason());
        return choice;
    }
}
