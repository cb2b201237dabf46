package io.varflow.pipeline.cli;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import io.varflow.model.bench.Benchmark;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.BatchBudget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
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
        @Option(names = "--preset", description = "tiny (the bundled fixture model's config) or d16, d20, d24, d30")
        String preset;

        @Option(names = "--config", description = "model config JSON file")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Model model;

    @Option(names = "--batch", defaultValue = "auto",
            description = "images per batch, or auto: the largest batch that fits the device's memory (GPU: free memory;"
                    + " CPU: " + BatchBudget.DEFAULT_HOST_BUDGET + ") by MemoryEstimate (default: ${DEFAULT-VALUE})")
    String batch;

    @Option(names = "--batches", defaultValue = "3", description = "measured batches (default: ${DEFAULT-VALUE})")
    int batches;

    @Option(names = "--warmup", defaultValue = "1", description = "warm-up batches (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "fp32", description = "fp32, fp16 or bf16 (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--cfg", defaultValue = "1.5", description = "CFG strength (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--top-k", defaultValue = "900", description = "top-k, 0 disables (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.96", description = "top-p, 0 disables (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "weights and sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0",
            description = "PyTorch intra-op CPU threads; 0 keeps PyTorch's default. On a small or busy machine "
                    + "1 is much faster for small models (default: ${DEFAULT-VALUE})")
    int threads;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
        RuntimeOptions options = runtimeOptions();
        ModelConfig modelConfig = config();
        int images = batchSize(modelConfig, options);
        Benchmark.Settings settings = new Benchmark.Settings(modelConfig, options, images, warmup, batches,
                new SamplingParams(cfg, topK, topP, false), seed);
        Benchmark.Result result = Benchmark.run(settings);
        spec.commandLine().getOut().print(result.report());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int batchSize(ModelConfig modelConfig, RuntimeOptions options) {
        if (batch.trim().equalsIgnoreCase("auto")) {
            BatchBudget.Choice choice = BatchBudget.auto(modelConfig, options,
                    BatchBudget.parseBytes("host budget", BatchBudget.DEFAULT_HOST_BUDGET));
            spec.commandLine().getOut().println("batch       " + choice.maxBatch() + " images (" + choice.reason() + ")");
            return choice.maxBatch();
        }
        try {
            return Integer.parseInt(batch.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException("--batch must be a positive number or auto, got '" + batch + "'");
        }
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
            throw new UserInputException("unknown preset '" + model.preset + "'; use tiny or one of "
                    + ModelConfigs.presets().keySet());
        }
        return preset;
    }

    private RuntimeOptions runtimeOptions() {
        return ModelOptions.runtime(device, dtype);
    }
}
