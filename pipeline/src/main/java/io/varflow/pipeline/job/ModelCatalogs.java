package io.varflow.pipeline.job;

import io.varflow.model.BundledModel;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.pipeline.config.BatchSize;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.ModelEntries;
import io.varflow.pipeline.config.ModelEntry;
import io.varflow.pipeline.config.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The models a job serves, from its settings: the {@code models} list when given, else the one
 * model of {@code model.*} (the bundled tiny model unless checkpoints are given).
 */
public final class ModelCatalogs {

    /** The one-model settings that {@code models} replaces; giving both is refused. */
    private static final List<Setting<String>> ONE_MODEL =
            List.of(
                    JobOptions.MODEL_NAME,
                    JobOptions.MODEL_VAE,
                    JobOptions.MODEL_VAR,
                    JobOptions.MODEL_CONFIG);

    /**
     * The bundled models that {@code demo} serves side by side when no model is given: the trained
     * {@link BundledModel#DEFAULT} model (the default) and the random-weight tiny fixture. Another
     * bundled model is one more entry here.
     */
    public static final ModelEntries BUNDLED =
            new ModelEntries(
                    List.of(
                            new ModelEntry(
                                    BundledModel.DEFAULT,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    List.of()),
                            new ModelEntry(
                                    ModelSpec.BUNDLED_TINY,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    List.of())));

    private ModelCatalogs() {}

    /** {@code config} serving {@link #BUNDLED} unless it names models of its own (either form). */
    public static JobConfig servingBundledUnlessGiven(JobConfig config) {
        if (config.isGiven(JobOptions.MODELS) || ONE_MODEL.stream().anyMatch(config::isGiven)) {
            return config;
        }
        return config.with(JobOptions.MODELS, BUNDLED);
    }

    public static ModelCatalog from(JobConfig config) {
        if (config.find(JobOptions.MODELS).isPresent()) {
            List<ModelSpec> specs = new ArrayList<>();
            for (ModelEntry entry : checkModels(config)) {
                specs.add(spec(entry, config));
            }
            return ModelCatalog.of(specs);
        }
        if (!checkCheckpoints(config)) {
            String name = config.get(JobOptions.MODEL_NAME);
            ModelConfig bundled = bundledConfig(name);
            return ModelCatalog.of(
                    List.of(
                            bundledSpec(
                                    name,
                                    name,
                                    BatchLimits.choose(config, name, bundled).maxBatch())));
        }
        String configRef = config.require(JobOptions.MODEL_CONFIG);
        ModelConfig modelConfig = ModelConfigs.resolve(configRef);
        String name = config.require(JobOptions.MODEL_NAME);
        int maxBatch = BatchLimits.choose(config, name, modelConfig).maxBatch();
        return ModelCatalog.of(
                List.of(
                        ModelSpec.of(
                                name,
                                configRef,
                                modelConfig,
                                config.require(JobOptions.MODEL_VAE),
                                config.require(JobOptions.MODEL_VAR),
                                maxBatch)));
    }

    /** Checks the model settings, whichever form they take, without reading any file. */
    static void check(JobConfig config) {
        if (config.find(JobOptions.MODELS).isPresent()) {
            checkModels(config);
        } else {
            checkCheckpoints(config);
        }
    }

    /**
     * The catalog entry of one listed model; device, precision and batch limit default to the
     * job's.
     */
    private static ModelSpec spec(ModelEntry entry, JobConfig config) {
        RuntimeOptions runtime = runtime(entry, GeneratorFactories.runtime(config));
        String bundled = entry.vae() == null ? bundledNameOf(entry) : null;
        ModelConfig modelConfig =
                bundled != null ? bundledConfig(bundled) : ModelConfigs.resolve(entry.config());
        BatchSize size =
                entry.maxImages() == null
                        ? config.get(JobOptions.BATCH_MAX_IMAGES)
                        : BatchSize.of(entry.maxImages());
        int maxBatch =
                BatchLimits.choose(config, entry.name(), modelConfig, runtime, size).maxBatch();
        ModelSpec spec =
                bundled != null
                        ? bundledSpec(entry.name(), bundled, maxBatch)
                        : ModelSpec.of(
                                entry.name(),
                                entry.config(),
                                modelConfig,
                                entry.vae(),
                                entry.var(),
                                maxBatch);
        return spec.withRuntime(runtime).withSubtasks(entry.subtasks());
    }

    /**
     * The bundled model an entry without checkpoints serves: the one its {@code config} names, else
     * the one called like the entry, else the tiny fixture (so {@code name=tiny-b} is tiny under
     * another name).
     */
    private static String bundledNameOf(ModelEntry entry) {
        if (entry.config() != null) {
            return entry.config();
        }
        return BundledModel.find(entry.name()).isPresent() ? entry.name() : ModelSpec.BUNDLED_TINY;
    }

    private static ModelConfig bundledConfig(String bundled) {
        return ModelSpec.BUNDLED_TINY.equals(bundled)
                ? ModelSpec.tinyConfig()
                : requireBundled(bundled).config();
    }

    /** The catalog entry serving bundled model {@code bundled} as {@code name}. */
    private static ModelSpec bundledSpec(String name, String bundled, int maxBatch) {
        if (ModelSpec.BUNDLED_TINY.equals(bundled)) {
            return ModelSpec.bundledTiny(name, maxBatch);
        }
        // Another bundled model (fashion): its resources are files like any checkpoint.
        BundledModel model = requireBundled(bundled);
        return ModelSpec.of(
                name,
                model.configFile().toString(),
                model.config(),
                model.vae().toString(),
                model.var().toString(),
                maxBatch);
    }

    private static BundledModel requireBundled(String name) {
        return BundledModel.find(name)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "'"
                                                + name
                                                + "' is not a bundled model (bundled: "
                                                + BundledModel.DEFAULT
                                                + ", "
                                                + ModelSpec.BUNDLED_TINY
                                                + ") and no checkpoints are given: set "
                                                + JobOptions.MODEL_VAE.key()
                                                + ", "
                                                + JobOptions.MODEL_VAR.key()
                                                + " and "
                                                + JobOptions.MODEL_CONFIG.key()));
    }

    private static RuntimeOptions runtime(ModelEntry entry, RuntimeOptions job) {
        RuntimeOptions.Device device = entry.device() == null ? job.device() : entry.device();
        RuntimeOptions.Precision precision =
                entry.dtype() == null ? job.precision() : entry.dtype();
        try {
            return new RuntimeOptions(device, precision);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    JobOptions.MODELS.key()
                            + ", model "
                            + entry.name()
                            + ": "
                            + e.getMessage()
                            + " (set its "
                            + ModelEntries.DEVICE
                            + " and "
                            + ModelEntries.DTYPE
                            + ")",
                    e);
        }
    }

    /**
     * The listed models, checked: not mixed with the one-model settings, checkpoints in pairs with
     * a config, device and precision that go together, subtasks that the job has.
     */
    private static List<ModelEntry> checkModels(JobConfig config) {
        String models = JobOptions.MODELS.key() + " (" + config.source(JobOptions.MODELS) + ")";
        for (Setting<String> one : ONE_MODEL) {
            if (config.isGiven(one)) {
                throw new IllegalArgumentException(
                        models
                                + " and "
                                + one.key()
                                + " ("
                                + config.source(one)
                                + ") both say which models to serve: list every model in "
                                + JobOptions.MODELS.key()
                                + " and drop "
                                + one.key());
            }
        }
        int parallelism = config.get(JobOptions.JOB_PARALLELISM);
        RuntimeOptions jobRuntime = GeneratorFactories.runtime(config);
        List<ModelEntry> entries = config.get(JobOptions.MODELS).entries();
        for (ModelEntry entry : entries) {
            String where = models + ", model " + entry.name() + ": ";
            if ((entry.vae() == null) != (entry.var() == null)) {
                throw new IllegalArgumentException(
                        where
                                + "give both checkpoints ("
                                + ModelEntries.VAE
                                + " and "
                                + ModelEntries.VAR
                                + ") or neither (the bundled tiny model)");
            }
            if (entry.vae() != null && entry.config() == null) {
                throw new IllegalArgumentException(
                        where
                                + ModelEntries.CONFIG
                                + " is required with checkpoints: a preset such as d16 or a config.json");
            }
            if (entry.vae() == null
                    && entry.config() != null
                    && BundledModel.find(entry.config()).isEmpty()) {
                throw new IllegalArgumentException(
                        where
                                + ModelEntries.CONFIG
                                + " "
                                + entry.config()
                                + " needs checkpoints ("
                                + ModelEntries.VAE
                                + " and "
                                + ModelEntries.VAR
                                + "); without them an entry serves a bundled model ("
                                + BundledModel.DEFAULT
                                + " or "
                                + ModelSpec.BUNDLED_TINY
                                + ")");
            }
            for (int subtask : entry.subtasks()) {
                if (subtask >= parallelism) {
                    throw new IllegalArgumentException(
                            where
                                    + "subtask "
                                    + subtask
                                    + " does not exist: "
                                    + JobOptions.JOB_PARALLELISM.key()
                                    + " is "
                                    + parallelism
                                    + " (subtasks 0 to "
                                    + (parallelism - 1)
                                    + ")");
                }
            }
            runtime(entry, jobRuntime);
        }
        return entries;
    }

    /**
     * True when checkpoints are given, false for the bundled tiny model; refuses one checkpoint
     * without the other and checkpoints without {@code model.config}. Reads no file, so a client
     * can check a settings file written for the cluster.
     */
    static boolean checkCheckpoints(JobConfig config) {
        Optional<String> vae = config.find(JobOptions.MODEL_VAE);
        Optional<String> var = config.find(JobOptions.MODEL_VAR);
        if (vae.isEmpty() && var.isEmpty()) {
            return false;
        }
        if (vae.isEmpty() || var.isEmpty()) {
            throw new IllegalArgumentException(
                    JobOptions.MODEL_VAE.key()
                            + " ("
                            + JobOptions.MODEL_VAE.flag().orElseThrow()
                            + ") and "
                            + JobOptions.MODEL_VAR.key()
                            + " ("
                            + JobOptions.MODEL_VAR.flag().orElseThrow()
                            + ") go together: give both checkpoints or neither (the bundled tiny model)");
        }
        if (config.find(JobOptions.MODEL_CONFIG).isEmpty()) {
            throw new IllegalArgumentException(
                    JobOptions.MODEL_CONFIG.key()
                            + " ("
                            + JobOptions.MODEL_CONFIG.flag().orElseThrow()
                            + ") is required with checkpoints: a preset such as d16 or a config.json");
        }
        return true;
    }
}
