package io.varflow.pipeline.cli;

import io.varflow.model.RuntimeOptions;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.Setting;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code --device} and {@code --dtype} of {@code bench}, derived from the job's {@code
 * model.device} and {@code model.dtype} declarations (same parsing, same defaults). {@link
 * ModelOptions} adds the same two flags to the commands that load checkpoints (picocli 4.7 applied
 * only the first of two mixins' model transformers on one command).
 */
@Command(modelTransformer = DeviceOptions.Flags.class)
final class DeviceOptions {

    static final List<Setting<?>> SETTINGS =
            List.of(JobOptions.MODEL_DEVICE, JobOptions.MODEL_DTYPE);

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Adds the flags of {@code model.device} and {@code model.dtype}. */
    public static final class Flags extends SettingFlags {
        @Override
        List<Setting<?>> settings() {
            return SETTINGS;
        }
    }

    /** The runtime the flags ask for; a bad value or fp16/bf16 on the CPU is a usage error. */
    RuntimeOptions runtime() {
        return runtime(command);
    }

    /**
     * The runtime that the {@code --device} and {@code --dtype} flags given on {@code command} ask
     * for.
     */
    static RuntimeOptions runtime(CommandSpec command) {
        JobConfig.Builder builder = JobConfig.builder();
        SettingFlags.applyTo(command, SETTINGS, builder);
        JobConfig flags = builder.build();
        RuntimeOptions.Device device = flags.get(JobOptions.MODEL_DEVICE);
        RuntimeOptions.Precision precision = flags.get(JobOptions.MODEL_DTYPE);
        try {
            return new RuntimeOptions(device, precision);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(
                    JobOptions.MODEL_DTYPE.flag().orElseThrow()
                            + " "
                            + JobOptions.MODEL_DTYPE.type().format(precision)
                            + " needs "
                            + JobOptions.MODEL_DEVICE.flag().orElseThrow()
                            + " gpu");
        }
    }
}
