package io.varflow.pipeline.job;

import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.util.List;
import java.util.Optional;

/** The models a job serves, from its settings: the bundled tiny model unless checkpoints are given. */
public final class ModelCatalogs {

    private ModelCatalogs() {}

    public static ModelCatalog from(JobConfig config) {
        Optional<String> vae = config.find(JobOptions.MODEL_VAE);
        Optional<String> var = config.find(JobOptions.MODEL_VAR);
        if (vae.isEmpty() && var.isEmpty()) {
            int maxBatch = BatchLimits.choose(config, ModelSpec.BUNDLED_TINY, ModelSpec.tinyConfig()).maxBatch();
            return ModelCatalog.of(List.of(ModelSpec.tiny(maxBatch)));
        }
        if (vae.isEmpty() || var.isEmpty()) {
            throw new IllegalArgumentException("model.vae and model.var go together: give both checkpoints or neither");
        }
        String configRef = config.find(JobOptions.MODEL_CONFIG).orElse("d16");
        ModelConfig modelConfig = ModelConfigs.resolve(configRef);
        String name = config.require(JobOptions.MODEL_NAME);
        int maxBatch = BatchLimits.choose(config, name, modelConfig).maxBatch();
        return ModelCatalog.of(List.of(ModelSpec.of(name, configRef, modelConfig, vae.get(), var.get(), maxBatch)));
    }
}
