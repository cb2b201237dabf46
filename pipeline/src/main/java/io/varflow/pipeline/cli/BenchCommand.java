package io.varflow.pipeline.cli;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.VarModel;
import io.varflow.model.bench.Benchmark;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.BatchBudget;
import io.varflow.pipeline.config.BatchSize;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.SettingType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow bench}: class-conditional generation throughput of a model config with random
 * weights (images/s, ms per batch split into transformer / sampling / decode, peak memory).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure generation throughput of a model config with random weights.")
public final class BenchCommand implements Callable<Integer> {

    static final class Model {
        @Option(
                names = "--preset",
                description = "tiny (the bundled fixture model's config) or d16, d20, d24, d30")
        String preset;

        @Option(names = "--config", description = "model config JSON file")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Model model;

    @Option(
            names = "--batch",
            defaultValue = "auto",
            description =
                    "images per batch, or auto: the largest batch that fits the device's memory (GPU: free memory;"
                            + " CPU: "
                            + BatchBudget.DEFAULT_HOST_BUDGET
                            + ") by MemoryEstimate (default: ${DEFAULT-VALUE})")
    String batch;

    @Option(
            names = "--batches",
            defaultValue = "3",
            description = "measured batches (default: ${DEFAULT-VALUE})")
    int batches;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            description = "warm-up batches (default: ${DEFAULT-VALUE})")
    int warmup;

    @Mixin DeviceOptions device = new DeviceOptions();

    @Mixin SamplingOptions sampling = new SamplingOptions();

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "weights and sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description =
                    "PyTorch intra-op CPU threads; 0 keeps PyTorch's default. On a small or busy machine "
                            + "1 is much faster for small models (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--profile",
            paramLabel = "FILE",
            description =
                    "write libtorch's operator profile of the measured batches to FILE (Chrome trace JSON;"
                            + " tools/compare-official/op_table.py sums it per operator)")
    Path profile;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (threads < 0) {
            throw new UserInputException("--threads must be >= 0, got " + threads);
        }
        if (threads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // Read by the PyTorch engine when it starts, which is when the model is built below.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        }
        RuntimeOptions options = device.runtime();
        ModelConfig modelConfig = config();
        Benchmark.Settings settings =
                new Benchmark.Settings(
                        modelConfig,
                        options,
                        batchSize(modelConfig, options),
                        warmup,
                        batches,
                        sampling.params(),
                        seed,
                        profile);
        Benchmark.Result result = Benchmark.run(settings);
        spec.commandLine().getOut().print(result.report());
        if (profile != null) {
            spec.commandLine().getOut().println("profile     " + profile.toAbsolutePath());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int batchSize(ModelConfig modelConfig, RuntimeOptions options) {
        BatchSize size;
        try {
            size = SettingType.BATCH_SIZE.parse(batch);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--batch " + e.getMessage() + ", got '" + batch + "'");
        }
        if (!size.isAuto()) {
            return size.images();
        }
        BatchBudget.Choice choice =
                BatchBudget.auto(modelConfig, options, JobOptions.BATCH_HOST_MEMORY.defaultValue());
        spec.commandLine()
                .getOut()
                .println("batch       " + choice.maxBatch() + " images (" + choice.reason() + ")");
        return choice.maxBatch();
    }

    private ModelConfig config() {
        if (model == null || (model.preset == null && model.config == null)) {
            return VarModel.tinyConfig();
        }
        if (model.config != null) {
            return ModelConfigs.read(model.config);
        }
        if (model.preset.equals("tiny")) {
            return VarModel.tinyConfig();
        }
        ModelConfig preset = ModelConfigs.presets().get(model.preset);
        if (preset == null) {
            throw new UserInputException(
                    "unknown preset '"
                            + model.preset
                            + "'; use tiny or one of "
                            + ModelConfigs.presets().keySet());
        }
        return preset;
    }
}
