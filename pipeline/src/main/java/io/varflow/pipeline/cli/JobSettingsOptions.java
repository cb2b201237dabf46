package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.ConfigOption;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Job settings on the command line, shared by {@code job}, {@code run}, {@code demo} and {@code
 * submit}: a settings file, {@code --set key=value} for any declared option, and short flags for
 * the common ones. Precedence: defaults &lt; file &lt; {@code VARFLOW_*} environment &lt; flags.
 */
public final class JobSettingsOptions {

    @Option(names = "--settings", paramLabel = "FILE",
            description = "Job settings file (.properties, .yaml or .yml); keys as in docs/operations.md.")
    Path settingsFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any job setting, e.g. --set kafka.sasl.username=svc (repeatable).")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint (https:// for TLS).")
    String s3Endpoint;

    @Option(names = "--bucket", description = "Bucket for images and token maps.")
    String bucket;

    @Option(names = "--parallelism", description = "Job parallelism.")
    Integer parallelism;

    @Option(names = "--vae", paramLabel = "FILE", description = "VQVAE checkpoint; default: the bundled tiny model.")
    String vae;

    @Option(names = "--var", paramLabel = "FILE", description = "VAR checkpoint.")
    String var;

    @Option(names = "--config", paramLabel = "FILE|PRESET", description = "Model config.json or preset (d16..d30).")
    String modelConfig;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Name requests use for the model (default: tiny).")
    String modelName;

    @Option(names = "--device", description = "cpu or gpu.")
    String device;

    @Option(names = "--dtype", description = "fp32, fp16 or bf16 (gpu only).")
    String dtype;

    @Option(names = "--max-batch", paramLabel = "N", description = "Largest batch of images per model call.")
    Integer maxBatch;

    /** The effective settings; {@code environment} is usually {@code System.getenv()}. */
    public JobConfig toJobConfig(Map<String, String> environment) throws IOException {
        JobConfig.Builder builder = JobConfig.builder();
        if (settingsFile != null) {
            builder.file(settingsFile);
        }
        builder.environment(environment);
        assignments.forEach(builder::setAssignment);
        set(builder, JobOptions.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
        set(builder, JobOptions.S3_ENDPOINT, s3Endpoint);
        set(builder, JobOptions.S3_BUCKET, bucket);
        set(builder, JobOptions.JOB_PARALLELISM, parallelism == null ? null : parallelism.toString());
        set(builder, JobOptions.MODEL_VAE, vae);
        set(builder, JobOptions.MODEL_VAR, var);
        set(builder, JobOptions.MODEL_CONFIG, modelConfig);
        set(builder, JobOptions.MODEL_NAME, modelName);
        set(builder, JobOptions.MODEL_DEVICE, device);
        set(builder, JobOptions.MODEL_DTYPE, dtype);
        set(builder, JobOptions.BATCH_MAX_IMAGES, maxBatch == null ? null : maxBatch.toString());
        JobConfig config = builder.build();
        if ((config.find(JobOptions.MODEL_VAE).isPresent()) != (config.find(JobOptions.MODEL_VAR).isPresent())) {
            throw new UserInputException("--vae and --var go together: give both checkpoints or neither (tiny model)");
        }
        return config;
    }

    private static void set(JobConfig.Builder builder, ConfigOption option, String value) {
        if (value != null) {
            builder.set(option, value);
        }
    }
}
