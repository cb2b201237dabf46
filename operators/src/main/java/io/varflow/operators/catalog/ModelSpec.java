package io.varflow.operators.catalog;

import io.varflow.model.RuntimeOptions;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.operators.validate.SafeNames;
import java.io.Serializable;
import java.util.List;

/**
 * A model the job serves: its name, where its weights are, the facts validation needs and the batch
 * size its GPU memory budget admits. Serializable (ModelConfig is not), so it travels with the job
 * graph; the sampling operator resolves the config again in {@code open()}.
 *
 * @param name name requests use ({@code model} field)
 * @param configRef {@value #BUNDLED_TINY} for the bundled fixture model, else a preset name ({@code
 *     d16} …) or a local JSON config path
 * @param vaeLocation VQVAE checkpoint: local path or {@code s3://bucket/key}; null for the tiny
 *     model
 * @param varLocation VAR checkpoint: local path or {@code s3://bucket/key}; null for the tiny model
 * @param numClasses labels must be in [0, numClasses)
 * @param imageSize output side in pixels (tasks of one model share it, so batches are uniform)
 * @param patchNums side of each scale's token grid, coarsest first (how token maps split into
 *     scales)
 * @param maxBatch images per batch; see {@link BatchBudget}
 * @param device where the model runs; null: the generator factory's own setting
 * @param precision precision of the model; null: the generator factory's own setting
 * @param subtasks the sampling subtasks that serve this model (its placement); empty: all of them.
 *     Routing deals the model's images over these only, so no other subtask ever loads it
 */
public record ModelSpec(
        String name,
        String configRef,
        String vaeLocation,
        String varLocation,
        int numClasses,
        int imageSize,
        List<Integer> patchNums,
        int maxBatch,
        RuntimeOptions.Device device,
        RuntimeOptions.Precision precision,
        List<Integer> subtasks)
        implements Serializable {

    /** configRef of the fixture model bundled in the model jar under {@code varflow/tiny/}. */
    public static final String BUNDLED_TINY = "tiny";

    public ModelSpec {
        if (!SafeNames.isSafeModelName(name)) {
            throw new IllegalArgumentException(
                    "model name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (configRef == null || configRef.isBlank()) {
            throw new IllegalArgumentException(
                    "model '" + name + "' needs a config (preset, JSON path or 'tiny')");
        }
        if (!BUNDLED_TINY.equals(configRef) && (vaeLocation == null || varLocation == null)) {
            throw new IllegalArgumentException(
                    "model '" + name + "' needs both a VQVAE and a VAR checkpoint location");
        }
        if (numClasses < 1 || imageSize < 1) {
            throw new IllegalArgumentException(
                    "model '" + name + "': numClasses and imageSize must be positive");
        }
        if (patchNums == null || patchNums.isEmpty()) {
            throw new IllegalArgumentException(
                    "model '" + name + "' needs its scales (patch sizes)");
        }
        patchNums = List.copyOf(patchNums);
        if (maxBatch < 1) {
            throw new IllegalArgumentException(
                    "model '" + name + "': maxBatch must be at least 1, got " + maxBatch);
        }
        if ((device == null) != (precision == null)) {
            throw new IllegalArgumentException(
                    "model '" + name + "': give both device and precision, or neither");
        }
        if (device != null) {
            new RuntimeOptions(device, precision); // refuses fp16/bf16 on the CPU
        }
        subtasks =
                subtasks == null
                        ? List.of()
                        : List.copyOf(subtasks.stream().distinct().sorted().toList());
        if (subtasks.stream().anyMatch(s -> s < 0)) {
            throw new IllegalArgumentException(
                    "model '" + name + "': subtask indexes start at 0, got " + subtasks);
        }
    }

    /** Served by every subtask, on the generator factory's device and precision. */
    public ModelSpec(
            String name,
            String configRef,
            String vaeLocation,
            String varLocation,
            int numClasses,
            int imageSize,
            List<Integer> patchNums,
            int maxBatch) {
        this(
                name,
                configRef,
                vaeLocation,
                varLocation,
                numClasses,
                imageSize,
                patchNums,
                maxBatch,
                null,
                null,
                List.of());
    }

    /** This model on its own device and precision. */
    public ModelSpec withRuntime(RuntimeOptions runtime) {
        return new ModelSpec(
                name,
                configRef,
                vaeLocation,
                varLocation,
                numClasses,
                imageSize,
                patchNums,
                maxBatch,
                runtime.device(),
                runtime.precision(),
                subtasks);
    }

    /** This model served by these sampling subtasks only (empty: all). */
    public ModelSpec withSubtasks(List<Integer> placement) {
        return new ModelSpec(
                name,
                configRef,
                vaeLocation,
                varLocation,
                numClasses,
                imageSize,
                patchNums,
                maxBatch,
                device,
                precision,
                placement);
    }

    /**
     * The bundled tiny model under another name (e.g. to serve it twice with different batch
     * limits).
     */
    public static ModelSpec bundledTiny(String name, int maxBatch) {
        ModelConfig config = tinyConfig();
        return new ModelSpec(
                name,
                BUNDLED_TINY,
                null,
                null,
                config.numClasses(),
                config.imageSize(),
                config.patchNums(),
                maxBatch);
    }

    /**
     * The device and precision this model asks for, or {@code fallback} when it leaves them to the
     * factory.
     */
    public RuntimeOptions runtimeOr(RuntimeOptions fallback) {
        return device == null ? fallback : new RuntimeOptions(device, precision);
    }

    /** Whether sampling subtask {@code subtask} serves this model. */
    public boolean servedBy(int subtask) {
        return subtasks.isEmpty() || subtasks.contains(subtask);
    }

    /** The bundled tiny model under the name {@code tiny}. */
    public static ModelSpec tiny(int maxBatch) {
        return bundledTiny(BUNDLED_TINY, maxBatch);
    }

    /** A model with weights at the given locations (local paths or s3:// URIs). */
    public static ModelSpec of(
            String name,
            String configRef,
            ModelConfig config,
            String vae,
            String var,
            int maxBatch) {
        return new ModelSpec(
                name,
                configRef,
                vae,
                var,
                config.numClasses(),
                config.imageSize(),
                config.patchNums(),
                maxBatch);
    }

    /** {@link #patchNums} as an array. */
    public int[] patchNumsArray() {
        return patchNums.stream().mapToInt(Integer::intValue).toArray();
    }

    public boolean isBundledTiny() {
        return BUNDLED_TINY.equals(configRef);
    }

    /** The config of the bundled tiny model, read from the classpath. */
    public static ModelConfig tinyConfig() {
        return VarModel.tinyConfig();
    }
}
