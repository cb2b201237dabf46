package io.varflow.pipeline.cli;

import io.varflow.model.BundledModel;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The model of the commands that run one in-process ({@code sample}, {@code encode}, {@code edit}):
 * {@code --vae}, {@code --var} and {@code --config}, derived from the job's {@code model.vae},
 * {@code model.var} and {@code model.config} declarations, and {@code --device} and {@code --dtype}
 * as in {@link DeviceOptions}. Without checkpoints the bundled tiny fixture model is used.
 */
@Command(modelTransformer = ModelOptions.Flags.class)
final class ModelOptions {

    private static final List<Setting<?>> CHECKPOINTS =
            List.of(
                    JobOptions.MODEL_NAME,
                    JobOptions.MODEL_VAE,
                    JobOptions.MODEL_VAR,
                    JobOptions.MODEL_CONFIG);
    private static final List<Setting<?>> SETTINGS =
            java.util.stream.Stream.concat(CHECKPOINTS.stream(), DeviceOptions.SETTINGS.stream())
                    .toList();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * Adds the flags of {@code model.vae}, {@code model.var}, {@code model.config}, {@code
     * model.device}, {@code model.dtype}.
     */
    public static final class Flags extends SettingFlags {
        @Override
        List<Setting<?>> settings() {
            return SETTINGS;
        }
    }

    private JobConfig given() {
        JobConfig.Builder builder = JobConfig.builder();
        SettingFlags.applyTo(command, CHECKPOINTS, builder);
        return builder.build();
    }

    /** Where the model runs: {@code --device} and {@code --dtype}. */
    RuntimeOptions runtime() {
        return DeviceOptions.runtime(command);
    }

    /** {@code --vae} as given, or null. */
    Path vae() {
        return given().find(JobOptions.MODEL_VAE).map(Path::of).orElse(null);
    }

    /** {@code --var} as given, or null. */
    Path var() {
        return given().find(JobOptions.MODEL_VAR).map(Path::of).orElse(null);
    }

    /**
     * The bundled model of the command when no checkpoints are given: {@code --model-name} when set
     * (e.g. {@code tiny}), else {@link BundledModel#DEFAULT}.
     */
    BundledModel bundledModel() {
        JobConfig given = given();
        String name =
                given.source(JobOptions.MODEL_NAME).equals("default")
                        ? BundledModel.DEFAULT
                        : given.get(JobOptions.MODEL_NAME);
        return BundledModel.find(name)
                .orElseThrow(
                        () ->
                                new UserInputException(
                                        flag(JobOptions.MODEL_NAME)
                                                + " "
                                                + name
                                                + ": no such bundled model (bundled: "
                                                + BundledModel.DEFAULT
                                                + ", tiny); for other models"
                                                + " give "
                                                + flag(JobOptions.MODEL_VAE)
                                                + ", "
                                                + flag(JobOptions.MODEL_VAR)
                                                + " and "
                                                + flag(JobOptions.MODEL_CONFIG)));
    }

    /**
     * True when neither checkpoint was given: a bundled model; one without the other is refused.
     */
    boolean bundled() {
        Path vae = vae();
        Path var = var();
        if ((vae == null) != (var == null)) {
            throw new UserInputException(
                    flag(JobOptions.MODEL_VAE)
                            + " and "
                            + flag(JobOptions.MODEL_VAR)
                            + " must be given together (or neither, for a bundled model)");
        }
        return vae == null;
    }

    /** The VQVAE checkpoint: the given file, which must exist, or the bundled model's. */
    Path vaeFile(boolean bundled) {
        return bundled ? bundledModel().vae() : existing(vae(), flag(JobOptions.MODEL_VAE));
    }

    /** The VAR checkpoint: the given file, which must exist, or the bundled model's. */
    Path varFile(boolean bundled) {
        return bundled ? bundledModel().var() : existing(var(), flag(JobOptions.MODEL_VAR));
    }

    ModelConfig resolveConfig(boolean bundled) {
        String config = given().find(JobOptions.MODEL_CONFIG).orElse(null);
        if (bundled) {
            return config == null ? bundledModel().config() : ModelConfigs.resolve(config);
        }
        if (config == null) {
            throw new UserInputException(
                    flag(JobOptions.MODEL_CONFIG)
                            + " is required with "
                            + flag(JobOptions.MODEL_VAE)
                            + "/"
                            + flag(JobOptions.MODEL_VAR)
                            + " (a preset such as d16 or a JSON file)");
        }
        return ModelConfigs.resolve(config);
    }

    private static String flag(Setting<?> setting) {
        return setting.flag().orElseThrow();
    }

    static Path existing(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(option + " " + file + ": no such file");
        }
        return file;
    }
}
