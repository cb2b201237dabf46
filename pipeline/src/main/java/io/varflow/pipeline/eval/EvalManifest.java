package io.varflow.pipeline.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.varflow.model.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What an evaluation set is, written next to its {@code samples.npz} as {@code manifest.json} so
 * that a score can be traced to the exact weights, settings and seeds that made it.
 *
 * @param format manifest format tag, {@value #FORMAT}
 * @param varflowVersion version of varflow that made the set
 * @param evalId the set's name
 * @param model the model: name, config (official field names) and checkpoint digests
 * @param sampling sampling settings of every image
 * @param seedBase base of the per-image seeds
 * @param seedDerivation how a seed follows from (seedBase, class, index)
 * @param classes the classes, in the order of {@code arr_0}
 * @param perClass images per class
 * @param images images in the set ({@code classes.size() * perClass})
 * @param imageSize image side in pixels
 * @param storage where the PNGs are and how they are named
 * @param npz the packed file, or null when not packed
 * @param timings wall-clock times
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "format",
    "varflowVersion",
    "evalId",
    "model",
    "sampling",
    "seedBase",
    "seedDerivation",
    "classes",
    "perClass",
    "images",
    "imageSize",
    "storage",
    "npz",
    "timings"
})
public record EvalManifest(
        String format,
        String varflowVersion,
        String evalId,
        Model model,
        Sampling sampling,
        long seedBase,
        String seedDerivation,
        List<Integer> classes,
        int perClass,
        int images,
        int imageSize,
        Storage storage,
        Npz npz,
        Timings timings) {

    public static final String FORMAT = "varflow-eval-manifest/1";

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /**
     * @param name model name
     * @param config the model config as JSON (official snake_case names)
     * @param checkpoints one entry per checkpoint file
     */
    public record Model(String name, JsonNode config, List<Checkpoint> checkpoints) {}

    /**
     * @param role {@code vae} or {@code var}
     * @param file file name (or resource name of a bundled model)
     * @param bytes file size
     * @param sha256 lower-case hex SHA-256 of the file
     */
    public record Checkpoint(String role, String file, long bytes, String sha256) {}

    /** Sampling settings with the official names' meaning ({@link SamplingParams}). */
    public record Sampling(double cfg, int topK, double topP, boolean smooth) {
        public static Sampling of(SamplingParams p) {
            return new Sampling(p.cfg(), p.topK(), p.topP(), p.smooth());
        }
    }

    /**
     * @param bucket bucket of the PNGs
     * @param prefix key prefix of the set
     * @param naming the object-name rule
     */
    public record Storage(String bucket, String prefix, String naming) {}

    /**
     * @param file file name of the archive
     * @param arrays member name to shape, e.g. {@code arr_0 -> [N, H, W, 3]}
     * @param bytes archive size
     */
    public record Npz(String file, java.util.Map<String, List<Long>> arrays, long bytes) {}

    /**
     * @param startedAt ISO-8601 instant the job was submitted
     * @param generatedAt ISO-8601 instant the last image was seen in storage
     * @param packedAt ISO-8601 instant the archive was complete (null if not packed)
     * @param generationSeconds seconds from submission to the last image
     * @param packSeconds seconds spent packing
     * @param imagesPerSecond images made by this run over generation seconds
     * @param imagesFoundAtStart images already stored when this run began (a resumed run)
     */
    public record Timings(
            String startedAt,
            String generatedAt,
            String packedAt,
            double generationSeconds,
            Double packSeconds,
            double imagesPerSecond,
            int imagesFoundAtStart) {}

    /** The manifest as indented JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest not serialisable", e);
        }
    }

    /** Writes the manifest to {@code file} atomically (temporary file, then move). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(tmp, toJson() + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a manifest written by {@link #write}. */
    public static EvalManifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), EvalManifest.class);
    }

    /** The JSON tree of any value, for the {@code config} field. */
    public static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    /** Parses JSON text into a tree, for the {@code config} field. */
    public static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
