package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.embedded.EmbeddedRun;
import io.varflow.pipeline.report.RunPages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The results page of demo and run: a page that cannot be written is reported, never fails the run.
 */
final class ReportPages {

    private ReportPages() {}

    /** The written page, or null (with the reason on {@code err}) when it could not be written. */
    static Path write(
            PrintWriter err,
            String command,
            JobConfig config,
            Path workDir,
            Path bucketDir,
            EmbeddedRun.Outcome outcome,
            List<String> messages,
            Duration wall) {
        try {
            return RunPages.write(
                    command + " results", config, workDir, bucketDir, outcome, messages, wall);
        } catch (Exception e) {
            err.printf("%s: could not write the results page: %s%n", command, e);
            err.flush();
            return null;
        }
    }
}
