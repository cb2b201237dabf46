package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.SettingsTable;
import io.varflow.pipeline.job.JobRunner;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow job}: the streaming job against external Kafka and object storage, settings from
 * flags, a settings file and {@code VARFLOW_*} environment variables. Runs until cancelled.
 */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = {
            "Run the streaming job against external Kafka and S3-compatible storage (until stopped).",
            "Settings: --settings FILE (.properties/.yaml), VARFLOW_* environment variables, --set KEY=VALUE, flags.",
            "Secrets (kafka.sasl.password, s3.secret-key, trust store passwords) are never printed."
        })
public final class JobCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(names = "--print-config", description = "Print the effective settings (secrets hidden) and exit.")
    boolean printConfig;

    @Option(names = "--list-settings", description = "List every setting: key, type, default, flag, environment variable, description.")
    boolean listSettings;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (listSettings) {
            out.print(SettingsTable.plain(JobOptions.all().values()));
            out.flush();
            return 0;
        }
        JobConfig config = settings.toJobConfig(System.getenv());
        if (printConfig) {
            out.print(config.describe());
            out.flush();
            return 0;
        }
        spec.commandLine().getErr().println("varflow job: starting with " + config);
        JobRunner.execute(config);
        return 0;
    }
}
