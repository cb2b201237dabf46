package io.varflow.pipeline.job;

import io.varflow.model.BundledModel;
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
        int maxBatch = config.get(JobOptions.BATCH_MAX_IMAGES);
        if (!checkCheckpoints(config)) {
            String name = config.get(JobOptions.MODEL_NAME);
            if (name.equals(ModelSpec.BUNDLED_TINY)) {
                return ModelCatalog.of(List.of(ModelSpec.tiny(maxBatch)));
            }
            // Another bundled model (fashion): its resources are files like any checkpoint.
            BundledModel bundled = BundledModel.find(name).orElseThrow(() -> new IllegalArgumentException(
                    JobOptions.MODEL_NAME.key() + " '" + name + "' is not a bundled model (bundled: "
                            + BundledModel.DEFAULT + ", tiny) and no checkpoints are given"));
            return ModelCatalog.of(List.of(ModelSpec.of(name, bundled.configFile().toString(), bundled.config(),
                    bundled.vae().toString(), bundled.var().toString(), maxBatch)));
        }
        String configRef = config.require(JobOptions.MODEL_CONFIG);
        ModelConfig modelConfig = ModelConfigs.resolve(configRef);
        String name = config.require(JobOptions.MODEL_NAME);
        return ModelCatalog.of(List.of(ModelSpec.of(name, configRef, modelConfig, config.require(JobOptions.MODEL_VAE),
                config.require(JobOptions.MODEL_VAR), maxBatch)));
    }

    /**
     * True when checkpoints are given, false for the bundled tiny model; refuses one checkpoint without
     * the other and checkpoints without {@code model.config}. Reads no file, so a client can check a
     * settings file written for the cluster.
     */
    static boolean checkCheckpoints(JobConfig config) {
        Optional<String> vae = config.find(JobOptions.MODEL_VAE);
        Optional<String> var = config.find(JobOptions.MODEL_VAR);
        if (vae.isEmpty() && var.isEmpty()) {
            return false;
        }
        if (vae.isEmpty() || var.isEmpty()) {
            throw new IllegalArgumentException(JobOptions.MODEL_VAE.key() + " (" + JobOptions.MODEL_VAE.flag().orElseThrow()
                    + ") and " + JobOptions.MODEL_VAR.key() + " (" + JobOptions.MODEL_VAR.flag().orElseThrow()
                    + ") go together: give both checkpoints or neither (the bundled tiny model)");
        }
        if (config.find(JobOptions.MODEL_CONFIG).isEmpty()) {
            throw new IllegalArgumentException(JobOptions.MODEL_CONFIG.key() + " ("
                    + JobOptions.MODEL_CONFIG.flag().orElseThrow()
                    + ") is required with checkpoints: a preset such as d16 or a config.json");
        }
        return true;
    }
}
