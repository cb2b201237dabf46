package io.varflow.pipeline.cluster;

import io.varflow.pipeline.cli.VarflowCli;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the varflow job on a Flink cluster ({@code flink run}, application mode, the Flink
 * Kubernetes Operator's {@code entryClass}). Takes exactly the arguments of {@code varflow job}
 * ({@code --settings FILE}, {@code --set KEY=VALUE}, flags; {@code VARFLOW_*} environment
 * variables) but never calls {@code System.exit}: in application mode the user main runs inside the
 * JobManager, and exiting would take the JobManager down with it. Failures are thrown instead.
 */
public final class ClusterJobMain {

    private ClusterJobMain() {}

    public static void main(String[] args) {
        List<String> command = new ArrayList<>();
        command.add("job");
        command.addAll(List.of(args));
        int exitCode = VarflowCli.commandLine().execute(command.toArray(String[]::new));
        if (exitCode != 0) {
            throw new IllegalStateException(
                    "varflow job ended with exit code " + exitCode + " (see the log above)");
        }
    }
}
