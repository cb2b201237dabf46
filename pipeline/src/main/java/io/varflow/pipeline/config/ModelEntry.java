package io.varflow.pipeline.config;

import io.varflow.model.RuntimeOptions;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One model of the {@code models} setting ({@link ModelEntries}): what requests call it and where
 * it comes from, and optionally its own device, precision, batch limit and the sampling subtasks
 * that serve it. Unset parts take the job-wide settings ({@code model.device}, {@code model.dtype},
 * {@code batch.max-images}); no subtasks means all of them.
 *
 * @param name the name requests give in {@code model}
 * @param config a preset ({@code d16} …) or config.json with checkpoints; null or {@code tiny}
 *     without checkpoints: the bundled tiny model
 * @param vae VQVAE checkpoint (path or s3:// URI), or null
 * @param var VAR checkpoint (path or s3:// URI), or null
 * @param device where it runs, or null for the job's
 * @param dtype its precision, or null for the job's
 * @param maxImages its batch limit, or null for the job's
 * @param subtasks the sampling subtasks that load and serve it; empty: all
 */
public record ModelEntry(
        String name,
        String config,
        String vae,
        String var,
        RuntimeOptions.Device device,
        RuntimeOptions.Precision dtype,
        Integer maxImages,
        List<Integer> subtasks)
        implements Serializable {

    public ModelEntry {
        Objects.requireNonNull(name, "name");
        subtasks = subtasks == null ? List.of() : List.copyOf(subtasks);
    }

    /**
     * A bundled-tiny entry under {@code name} with its own batch limit, served by every subtask.
     */
    public static ModelEntry bundledTiny(String name, int maxImages) {
        return new ModelEntry(name, null, null, null, null, null, maxImages, List.of());
    }
}
