package io.varflow.pipeline.report;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.embedded.EmbeddedRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes the results page of a run on the embedded stack into its work folder. */
public final class RunPages {

    private RunPages() {}

    /**
     * Writes {@code workDir/index.html} and its pictures.
     *
     * @param config the job's settings (the model the strips are drawn with)
     * @return the page
     */
    public static Path write(
            String title,
            JobConfig config,
            Path workDir,
            Path bucketDir,
            EmbeddedRun.Outcome outcome,
            List<String> messages,
            Duration wall)
            throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(
                "Model",
                config.find(JobOptions.MODELS)
                        .map(
                                models ->
                                        String.join(
                                                ", ",
                                                models.entries().stream()
                                                        .map(
                                                                e ->
                                                                        e.name()
                                                                                + (e.vae() == null
                                                                                        ? " (bundled)"
                                                                                        : " ("
                                                                                                + e
                                                                                                        .vae()
                                                                                                + ")"))
                                                        .toList()))
                        .orElseGet(
                                () ->
                                        config.get(JobOptions.MODEL_NAME)
                                                + config.find(JobOptions.MODEL_VAE)
                                                        .map(v -> " (" + v + ")")
                                                        .orElse(" (bundled)")));
        facts.put("Work folder", workDir.toAbsolutePath().toString());
        facts.put("Objects", bucketDir.toAbsolutePath().toString());
        try (PageModels models = new PageModels(config)) {
            ResultsPage page =
                    new RunPageBuilder(workDir, bucketDir, models::strips, models::classNames)
                            .build(title, facts, outcome, messages, wall);
            return page.write(workDir);
        }
    }
}
