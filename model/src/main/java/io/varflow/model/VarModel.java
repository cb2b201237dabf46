package io.varflow.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.RandomStateDict;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.StateDictLayout;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.model.edit.EditBatch;
import io.varflow.model.sampling.SamplingBatch;
import io.varflow.model.sampling.TokenSampler;
import io.varflow.model.var.VarTransformer;
import io.varflow.model.vqvae.VqVae;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A VQVAE + VAR pair ready to generate class-conditional images ({@code autoregressive_infer_cfg}),
 * with per-image CFG, top-k, top-p, smooth mode and random stream. Owns both models and their
 * managers; {@link #close()} releases them (the transformer first, then the VQVAE). Not
 * thread-safe: one instance per sampling subtask.
 */
public final class VarModel implements ImageGenerator {

    /** Classpath folder of the bundled tiny fixture model. */
    public static final String TINY_RESOURCE = "varflow/tiny/";

    private final ModelConfig config;
    private final RuntimeOptions options;
    private final NDManager root;
    private final VqVae vqvae;
    private final VarTransformer transformer;
    private boolean closed;

    private VarModel(
            ModelConfig config,
            RuntimeOptions options,
            NDManager root,
            VqVae vqvae,
            VarTransformer transformer) {
        this.config = config;
        this.options = options;
        this.root = root;
        this.vqvae = vqvae;
        this.transformer = transformer;
    }

    /**
     * Loads the VQVAE and VAR checkpoints ({@code .pth} or safetensors) of {@code config}.
     *
     * @throws CheckpointException naming the file and the first missing or mis-shaped key
     */
    public static VarModel load(
            ModelConfig config, Path vaePath, Path varPath, RuntimeOptions options)
            throws CheckpointException {
        Objects.requireNonNull(config, "config");
        try (StateDict vae = Checkpoints.open(vaePath);
                StateDict var = Checkpoints.open(varPath)) {
            return build(config, vae, var, options);
        }
    }

    /**
     * A model of {@code config} with seeded random weights of the official layout (for benchmarks
     * and tests; generates noise-like images).
     */
    public static VarModel randomWeights(ModelConfig config, long seed, RuntimeOptions options) {
        try (StateDict vae = RandomStateDict.vqvae(config, seed);
                StateDict var = RandomStateDict.var(config, seed + 1)) {
            // No verify(): it would generate every tensor twice, and these fit their layout by
            // construction.
            return assemble(config, vae, var, options);
        } catch (CheckpointException e) {
            throw new IllegalStateException("random weights do not fit their own layout", e);
        }
    }

    /**
     * Builds a model from state dicts already open, after verifying both against the layout of
     * {@code config}. The state dicts may be closed afterwards.
     *
     * @throws CheckpointException naming the file and the first missing or mis-shaped key
     */
    public static VarModel build(
            ModelConfig config, StateDict vae, StateDict var, RuntimeOptions options)
            throws CheckpointException {
        StateDictLayout.vqvae(config).verify(vae);
        StateDictLayout.var(config).verify(var);
        return assemble(config, vae, var, options);
    }

    private static VarModel assemble(
            ModelConfig config, StateDict vae, StateDict var, RuntimeOptions options)
            throws CheckpointException {
        VqVae vqvae = VqVae.load(config, vae, options);
        NDManager root = NDManager.newBaseManager(deviceOf(options), "PyTorch");
        root.setName("var-model");
        try (NDScope scope = new NDScope()) {
            VarTransformer transformer =
                    VarTransformer.load(config, var, root, dataTypeOf(options));
            for (NDArray weight : transformer.weightsManager().getManagedArrays()) {
                NDScope.unregister(weight);
            }
            return new VarModel(config, options, root, vqvae, transformer);
        } catch (CheckpointException | RuntimeException e) {
            root.close();
            vqvae.close();
            throw e;
        }
    }

    /** The bundled tiny fixture model (64 px, 10 classes) from the classpath. */
    public static VarModel tiny(RuntimeOptions options) throws CheckpointException {
        return load(
                tinyConfig(),
                BundledFiles.path(TINY_RESOURCE + "vae.pth"),
                BundledFiles.path(TINY_RESOURCE + "var.pth"),
                options);
    }

    /** The config of the bundled tiny model. */
    public static ModelConfig tinyConfig() {
        return ModelConfigs.read(BundledFiles.path(TINY_RESOURCE + "config.json"));
    }

    static Device deviceOf(RuntimeOptions options) {
        return options.device() == RuntimeOptions.Device.GPU ? Device.gpu() : Device.cpu();
    }

    static DataType dataTypeOf(RuntimeOptions options) {
        return switch (options.precision()) {
            case FP32 -> DataType.FLOAT32;
            case FP16 -> DataType.FLOAT16;
            case BF16 -> DataType.BFLOAT16;
        };
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public RuntimeOptions options() {
        return options;
    }

    /** The VQVAE, e.g. to encode images into token maps. Owned by this model: do not close. */
    public VqVae vqvae() {
        return vqvae;
    }

    /** The transformer. Owned by this model: do not close. */
    public VarTransformer transformer() {
        return transformer;
    }

    @Override
    public List<GeneratedImage> generate(List<ImageTask> tasks) {
        return generate(tasks, null);
    }

    /**
     * Generates one image per task, in task order, and adds the time of each phase to {@code
     * timings} when it is not null (which synchronises with the device at phase boundaries).
     *
     * @throws IllegalArgumentException for a label outside [0, num_classes) ([0, num_classes] for
     *     edits) or an edit that does not fit the model
     */
    @Override
    public List<GeneratedImage> generate(List<ImageTask> tasks, GenerationTimings timings) {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
        validate(tasks);
        if (tasks.isEmpty()) {
            return List.of();
        }
        int batch = tasks.size();
        int scales = config.numScales();
        int[] patchNums = config.patchNumsArray();
        int zChannels = config.zChannels();
        PhaseClock clock = new PhaseClock(timings);
        try (NDManager gen = root.newSubManager();
                NDScope outer = new NDScope()) {
            long[] labels = tasks.stream().mapToLong(ImageTask::label).toArray();
            SamplingBatch sampling = SamplingBatch.create(gen, config, tasks);
            EditBatch edits =
                    EditBatch.create(gen, config, vqvae, tasks); // null without edit tasks
            VarTransformer.Pass pass = transformer.start(gen.create(labels), gen);
            NDArray fHat = vqvae.newFHat(gen, batch);
            NDArray x = pass.firstInput();
            NDArray[] tokens = new NDArray[scales];
            for (int si = 0; si < scales; si++) {
                int pn = patchNums[si];
                clock.scale(si);
                try (NDScope scope = new NDScope()) {
                    NDArray logits = pass.logits(x, si);
                    clock.transformerDone(logits);
                    TokenSampler.Draw draw = draw(logits, sampling, si);
                    logits.close();
                    // Edits: kept positions take the source's tokens (and so its residuals).
                    NDArray drawn =
                            edits == null ? draw.tokens() : edits.replaceTokens(draw.tokens(), si);
                    NDArray h = vqvae.embed(drawn); // (B, Cvae, pn, pn) float32
                    if (sampling.anySmooth()) {
                        NDArray soft =
                                TokenSampler.smoothEmbedding(
                                                draw.maskedLogits(),
                                                vqvae.quantizer().codebook(),
                                                sampling,
                                                si)
                                        .transpose(0, 2, 1)
                                        .reshape(batch, zChannels, pn, pn);
                        NDArray useSoft = sampling.smoothRows().broadcast(soft.getShape());
                        if (edits != null) {
                            useSoft =
                                    useSoft.logicalAnd(
                                            edits.sampledPositions(si).broadcast(soft.getShape()));
                        }
                        h = NDArrays.where(useSoft, soft, h);
                    }
                    vqvae.addScale(fHat, h, si);
                    tokens[si] = keep(drawn, gen);
                    clock.samplingDone(fHat);
                    if (si + 1 < scales) {
                        int next = patchNums[si + 1];
                        NDArray down =
                                vqvae.nextScaleInput(fHat, si)
                                        .reshape(batch, zChannels, (long) next * next)
                                        .transpose(0, 2, 1);
                        NDArray previous = x;
                        x = keep(pass.nextInput(down, si), gen);
                        previous.close();
                        clock.transformerDone(x);
                    }
                }
            }
            x.close();
            pass.close(); // the KV cache is not needed by the decoder: free it first
            NDArray image = vqvae.decodeFHat(fHat);
            // The only read-backs: every scale's token ids in one transfer, then the pixels.
            long[] ids =
                    NDArrays.concat(new NDList(tokens), 1)
                            .toType(DataType.INT64, false)
                            .toLongArray();
            float[] pixels = image.toFloatArray();
            clock.decodeDone();
            if (timings != null) {
                timings.addBatch(batch);
            }
            return results(tasks, ids, pixels);
        }
    }

    /**
     * Encodes images into their multi-scale token maps ({@code img_to_idxBl}) and decodes those
     * back ({@code idxBl_to_img}, last scale).
     *
     * @param images float32 CHW (3 x size x size) pixels in [0, 1], size = {@code
     *     config().imageSize()}
     * @throws IllegalArgumentException for an image of the wrong length
     */
    public List<EncodedImage> encode(List<float[]> images) {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
        int size = config.imageSize();
        int perImage = 3 * size * size;
        if (images.isEmpty()) {
            return List.of();
        }
        float[] scaled = new float[images.size() * perImage];
        for (int b = 0; b < images.size(); b++) {
            float[] image = images.get(b);
            if (image == null || image.length != perImage) {
                throw new IllegalArgumentException(
                        "image "
                                + b
                                + " must hold 3x"
                                + size
                                + "x"
                                + size
                                + " = "
                                + perImage
                                + " floats, got "
                                + (image == null ? "null" : image.length));
            }
            for (int i = 0; i < perImage; i++) {
                scaled[b * perImage + i] = image[i] * 2f - 1f; // the VQVAE takes [-1, 1]
            }
        }
        try (NDManager work = root.newSubManager();
                NDScope scope = new NDScope()) {
            NDArray batch = work.create(scaled, new Shape(images.size(), 3, size, size));
            List<int[][]> tokens = vqvae.encode(batch);
            float[] recon = vqvae.decodeTokens(tokens, work).toFloatArray();
            List<EncodedImage> out = new ArrayList<>(images.size());
            for (int b = 0; b < images.size(); b++) {
                float[] pixels = new float[perImage];
                for (int i = 0; i < perImage; i++) {
                    pixels[i] = (recon[b * perImage + i] + 1f) * 0.5f;
                }
                out.add(new EncodedImage(tokens.get(b), pixels, size));
            }
            return out;
        }
    }

    private List<GeneratedImage> results(List<ImageTask> tasks, long[] ids, float[] pixels) {
        int batch = tasks.size();
        int total = config.totalTokens();
        int size = config.imageSize();
        int perImage = 3 * size * size;
        List<GeneratedImage> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[][] perScale = new int[config.numScales()][];
            for (int si = 0; si < perScale.length; si++) {
                int pn = config.patchNums().get(si);
                perScale[si] = new int[pn * pn];
                int base = b * total + config.tokenOffset(si);
                for (int j = 0; j < pn * pn; j++) {
                    perScale[si][j] = (int) ids[base + j];
                }
            }
            float[] image = new float[perImage];
            for (int i = 0; i < perImage; i++) {
                // As the official sampler: (img + 1) / 2 in float32 on the clamped decoder output.
                image[i] = (pixels[b * perImage + i] + 1f) * 0.5f;
            }
            out.add(new GeneratedImage(tasks.get(b), perScale, image, size));
        }
        return out;
    }

    private void validate(List<ImageTask> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        for (ImageTask task : tasks) {
            if (task == null || task.sampling() == null) {
                throw new IllegalArgumentException(
                        "a task and its sampling parameters must not be null");
            }
            // Edits may use the null class (num_classes), as the official in-/out-painting does.
            int maxLabel = task.isEdit() ? config.numClasses() : config.numClasses() - 1;
            if (task.label() < 0 || task.label() > maxLabel) {
                throw new IllegalArgumentException(
                        "label "
                                + task.label()
                                + " is outside [0, "
                                + maxLabel
                                + "] for "
                                + (task.isEdit() ? "an edit with " : "")
                                + "model "
                                + config.name());
            }
            if (task.isEdit()) {
                task.edit().validate(config);
            }
        }
    }

    /**
     * CFG and sampling of one scale in their own scope: the (B, l, V) masks, softmaxes and
     * cumulative sums are freed as soon as the tokens exist (they were held to the end of the
     * scale, beside the KV cache). Keeps the tokens, and the masked logits only when a smooth row
     * needs them.
     */
    private TokenSampler.Draw draw(NDArray logits, SamplingBatch sampling, int si) {
        NDArray tokens;
        NDArray masked = null;
        try (NDScope scope = new NDScope()) {
            NDArray guided = TokenSampler.guide(logits, sampling, si);
            TokenSampler.Draw draw =
                    TokenSampler.sample(guided, sampling, si, config.tokenOffset(si));
            tokens = draw.tokens();
            NDScope.unregister(tokens);
            if (sampling.anySmooth()) {
                masked = draw.maskedLogits();
                NDScope.unregister(masked);
            }
        }
        NDScope.register(tokens);
        if (masked != null) {
            NDScope.register(masked);
        }
        return new TokenSampler.Draw(tokens, masked);
    }

    private static NDArray keep(NDArray array, NDManager owner) {
        NDScope.unregister(array);
        array.attach(owner);
        return array;
    }

    /** Phase stopwatch; synchronises with the device (one-element read-back) only when timing. */
    private static final class PhaseClock {
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private final GenerationTimings timings;
        private long last;
        private long lastCpu;
        private long cpuLap;
        private int scale;

        PhaseClock(GenerationTimings timings) {
            this.timings = timings;
            this.last = System.nanoTime();
            this.lastCpu = timings == null ? 0 : THREADS.getCurrentThreadCpuTime();
        }

        /** The scale that the next laps belong to (its next-scale input included). */
        void scale(int si) {
            scale = si;
        }

        void transformerDone(NDArray produced) {
            if (timings != null) {
                long elapsed = lap(produced);
                timings.addTransformer(elapsed, cpuLap);
                timings.addScale(scale, elapsed);
            }
        }

        void samplingDone(NDArray produced) {
            if (timings != null) {
                long elapsed = lap(produced);
                timings.addSampling(elapsed, cpuLap);
                timings.addScale(scale, elapsed);
            }
        }

        void decodeDone() {
            if (timings != null) {
                timings.addDecode(lap(null), cpuLap);
            }
        }

        private long lap(NDArray produced) {
            if (produced != null && produced.getDevice().isGpu()) {
                try (NDScope scope = new NDScope()) {
                    produced.flatten()
                            .get("0:1")
                            .toType(DataType.FLOAT32, false)
                            .toFloatArray(); // waits for the kernels
                }
            }
            long now = System.nanoTime();
            long elapsed = now - last;
            last = now;
            long cpu = THREADS.getCurrentThreadCpuTime();
            cpuLap = cpu - lastCpu;
            lastCpu = cpu;
            return elapsed;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        transformer.close();
        root.close();
        vqvae.close();
    }
}
