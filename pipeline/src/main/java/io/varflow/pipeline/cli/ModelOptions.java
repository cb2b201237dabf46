package io.varflow.pipeline.cli;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.VarModel;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by commands that run a model: the config, where it runs and in which precision.
 * Without {@code --config} (and weights) the bundled tiny fixture model is used.
 */
final class ModelOptions {

    @Option(names = "--config", paramLabel = "C.json|d16",
            description = "Model config: a preset (d16, d20, d24, d30) or a JSON file. Default: the bundled tiny model.")
    String config;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16", defaultValue = "fp32",
            description = "Precision; fp16/bf16 need --device gpu (default: ${DEFAULT-VALUE}).")
    String dtype;

    RuntimeOptions runtime() {
        return runtime(device, dtype);
    }

    /** Parses {@code --device} and {@code --dtype}; a bad value is a one-line usage error. */
    static RuntimeOptions runtime(String device, String dtype) {
        RuntimeOptions.Device d;
        RuntimeOptions.Precision p;
        try {
            d = RuntimeOptions.Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--device must be cpu or gpu, got '" + device + "'");
        }
        try {
            p = RuntimeOptions.Precision.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--dtype must be fp32, fp16 or bf16, got '" + dtype + "'");
        }
        return new RuntimeOptions(d, p);
    }

    /** True when no weights and no config were given: use the bundled tiny model. */
    static boolean bundled(Path... weights) {
        for (Path w : weights) {
            if (w != null) {
                return false;
            }
        }
        return true;
    }

    ModelConfig resolveConfig(boolean bundled) {
        if (bundled) {
            return config == null ? VarModel.tinyConfig() : ModelConfigs.resolve(config);
        }
        if (config == null) {
            throw new UserInputException("--config is required with --vae/--var (a preset such as d16 or a JSON file)");
        }
        return ModelConfigs.resolve(config);
    }

    static Path bundledFile(String name) {
        return BundledFiles.path(VarModel.TINY_RESOURCE + name);
    }

    static Path existing(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(option + " " + file + ": no such file");
        }
        return file;
    }
}
