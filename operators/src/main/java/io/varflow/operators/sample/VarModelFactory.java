package io.varflow.operators.sample;

import io.varflow.model.ImageGenerator;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.store.ObjectStoreConfig;
import java.nio.file.Path;

/**
 * The production {@link GeneratorFactory}: a {@link VarModel} per model, on the model's own device
 * and precision when its {@link ModelSpec} names them, else on the factory's. The bundled tiny
 * model comes from the classpath; other models from local paths or {@code s3://bucket/key} URIs,
 * which are downloaded once per task manager into a local cache directory with the job's
 * object-store credentials (see {@link ModelFiles}).
 */
public final class VarModelFactory implements GeneratorFactory {

    private static final long serialVersionUID = 1L;

    private final RuntimeOptions.Device device;
    private final RuntimeOptions.Precision precision;
    private final ObjectStoreConfig modelStore;
    private final String cacheDir;

    /**
     * @param options device and precision
     * @param modelStore where s3:// model locations are read from; null if all are local
     * @param cacheDir where downloaded checkpoints are kept
     */
    public VarModelFactory(RuntimeOptions options, ObjectStoreConfig modelStore, Path cacheDir) {
        this.device = options.device();
        this.precision = options.precision();
        this.modelStore = modelStore;
        this.cacheDir = cacheDir.toString();
    }

    /** CPU fp32 with local (or bundled) models only. */
    public static VarModelFactory cpu() {
        return new VarModelFactory(
                RuntimeOptions.CPU_FP32,
                null,
                Path.of(System.getProperty("java.io.tmpdir"), "varflow-models"));
    }

    @Override
    public ImageGenerator open(ModelSpec spec, int subtask) throws Exception {
        RuntimeOptions options = spec.runtimeOr(new RuntimeOptions(device, precision));
        if (spec.isBundledTiny()) {
            return VarModel.tiny(options);
        }
        ModelConfig config = ModelConfigs.resolve(spec.configRef()).withName(spec.name());
        ModelFiles files = new ModelFiles(modelStore, Path.of(cacheDir));
        Path vae = files.localize(spec.vaeLocation());
        Path var = files.localize(spec.varLocation());
        return VarModel.load(config, vae, var, options);
    }
}
