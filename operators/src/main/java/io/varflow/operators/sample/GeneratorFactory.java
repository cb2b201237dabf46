package io.varflow.operators.sample;

import io.varflow.model.ImageGenerator;
import io.varflow.operators.catalog.ModelSpec;
import java.io.Serializable;

/**
 * Builds the generator of one model on one sampling subtask. Serializable: shipped with the job
 * graph; {@link #open} runs on the task manager, once per model and subtask.
 */
@FunctionalInterface
public interface GeneratorFactory extends Serializable {

    /**
     * Loads {@code spec}'s model. Called from the sampling operator's task thread.
     *
     * @param subtask index of the calling subtask (e.g. to pick a GPU)
     * @throws Exception when the model cannot be loaded; the job fails (a configuration error)
     */
    ImageGenerator open(ModelSpec spec, int subtask) throws Exception;
}
