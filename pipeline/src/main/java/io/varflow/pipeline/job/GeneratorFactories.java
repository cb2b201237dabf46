package io.varflow.pipeline.job;

import io.varflow.model.RuntimeOptions;
import io.varflow.operators.sample.FixedShapeGenerator;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.operators.sample.VarModelFactory;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.nio.file.Path;

/** The sampling operator's model factory and the object store, from the job's settings. */
public final class GeneratorFactories {

    private GeneratorFactories() {}

    /**
     * A {@link VarModelFactory} on {@code model.device} / {@code model.dtype}; {@code s3://}
     * checkpoint locations are read with the job's object-store credentials when those are set.
     */
    public static GeneratorFactory from(JobConfig config) {
        RuntimeOptions options = runtime(config);
        ObjectStoreConfig modelStore =
                config.find(JobOptions.S3_SECRET_KEY).isPresent() ? objectStore(config) : null;
        GeneratorFactory factory =
                new VarModelFactory(
                        options,
                        modelStore,
                        Path.of(System.getProperty("java.io.tmpdir"), "varflow-models"));
        return config.get(JobOptions.BATCH_FIXED_SHAPE)
                ? FixedShapeGenerator.wrap(factory)
                : factory;
    }

    /**
     * {@code model.device} and {@code model.dtype}; fp16/bf16 on the CPU is refused naming both
     * keys.
     */
    public static RuntimeOptions runtime(JobConfig config) {
        try {
            return new RuntimeOptions(
                    config.get(JobOptions.MODEL_DEVICE), config.get(JobOptions.MODEL_DTYPE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    JobOptions.MODEL_DTYPE.key()
                            + " ("
                            + config.source(JobOptions.MODEL_DTYPE)
                            + ") and "
                            + JobOptions.MODEL_DEVICE.key()
                            + " ("
                            + config.source(JobOptions.MODEL_DEVICE)
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Where the job writes images and token maps. */
    public static ObjectStoreConfig objectStore(JobConfig config) {
        return new ObjectStoreConfig(
                config.require(JobOptions.S3_ENDPOINT),
                config.require(JobOptions.S3_REGION),
                config.require(JobOptions.S3_ACCESS_KEY),
                config.require(JobOptions.S3_SECRET_KEY),
                config.require(JobOptions.S3_BUCKET),
                config.get(JobOptions.S3_PREFIX));
    }
}
