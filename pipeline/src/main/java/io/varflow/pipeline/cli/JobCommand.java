package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.SettingsTable;
import io.varflow.pipeline.job.JobFailures;
import io.varflow.pipeline.job.JobRunner;
import io.varflow.pipeline.job.Preflight;
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
            "Secrets (kafka.sasl.password, s3.secret-key, trust store passwords) are never printed.",
            "At start it checks that brokers, topics and bucket are reachable and usable (--create-missing creates them)."
        })
public final class JobCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--print-config",
            description = "Print the effective settings (secrets hidden) and exit.")
    boolean printConfig;

    @Option(
            names = "--list-settings",
            description =
                    "List every setting: key, type, default, flag, environment variable, description.")
    boolean listSettings;

    @Option(
            names = "--skip-checks",
            description = "Start without checking brokers, topics and bucket first.")
    boolean skipChecks;

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
        PrintWriter err = spec.commandLine().getErr();
        if (!skipChecks) {
            Preflight.Result checked = Preflight.run(config);
            checked.created().forEach(line -> err.println("varflow job: " + line));
            if (!checked.ok()) {
                checked.problems().forEach(line -> err.println("varflow job: " + line));
                err.flush();
                return CliErrors.USAGE_ERROR;
            }
        }
        err.println("varflow job: starting with " + config);
        try {
            JobRunner.execute(config);
        } catch (Exception e) {
            err.println("varflow job: the job stopped: " + JobFailures.oneLine(e));
            if (System.getenv("VARFLOW_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        }
        return 0;
    }
}
