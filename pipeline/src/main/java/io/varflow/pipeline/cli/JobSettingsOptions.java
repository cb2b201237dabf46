package io.varflow.pipeline.cli;

import io.varflow.model.BundledModel;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.Setting;
import io.varflow.pipeline.job.VarflowJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Job settings on the command line, shared by {@code job}, {@code run}, {@code demo}, {@code
 * submit}, {@code eval} and {@code bench-pipeline}: a settings file, {@code --set key=value} for
 * any declared setting, and the flags that {@link JobOptions} declares (added by {@link Flags}).
 * Precedence: defaults &lt; file &lt; {@code VARFLOW_*} environment &lt; {@code --set} &lt; flags.
 */
@Command(modelTransformer = JobSettingsOptions.Flags.class)
public final class JobSettingsOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description =
                    "Job settings file (.properties, .yaml or .yml); keys as in docs/operations.md.")
    Path settingsFile;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Any job setting, e.g. --set kafka.sasl.username=svc (repeatable).")
    List<String> assignments = new ArrayList<>();

    /** Adds a flag for every setting of {@link JobOptions} that declares one. */
    public static final class Flags extends SettingFlags {
        @Override
        List<Setting<?>> settings() {
            return List.copyOf(JobOptions.all().values());
        }
    }

    /**
     * The effective settings, checked as the job will use them; {@code environment} is usually
     * {@code System.getenv()}.
     */
    /**
     * {@link #toJobConfig} for a run on this machine ({@code demo}, {@code run}, {@code eval}):
     * with no checkpoints and no {@code model.name} given, the bundled {@link BundledModel#DEFAULT}
     * model.
     */
    public JobConfig toLocalJobConfig(Map<String, String> environment) throws IOException {
        JobConfig config = toJobConfig(environment);
        boolean noCheckpoints =
                config.find(JobOptions.MODEL_VAE).isEmpty()
                        && config.find(JobOptions.MODEL_VAR).isEmpty();
        if (noCheckpoints && config.source(JobOptions.MODEL_NAME).equals("default")) {
            return config.with(JobOptions.MODEL_NAME, BundledModel.DEFAULT);
        }
        return config;
    }

    public JobConfig toJobConfig(Map<String, String> environment) throws IOException {
        JobConfig.Builder builder = JobConfig.builder();
        if (settingsFile != null) {
            builder.file(settingsFile);
        }
        builder.environment(environment);
        assignments.forEach(builder::setAssignment);
        SettingFlags.applyTo(command, List.copyOf(JobOptions.all().values()), builder);
        JobConfig config = builder.build();
        VarflowJob.checkSettings(config);
        return config;
    }

    /** The text given on the command line for {@code setting}'s flag, or null. */
    public String flag(Setting<?> setting) {
        return setting.flag().map(f -> SettingFlags.given(command, f)).orElse(null);
    }
}
