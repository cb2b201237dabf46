package io.varflow.model.vqvae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.TorchLogging;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.nn.WeightLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * VAR's multi-scale VQVAE on DJL: encoder + {@code quant_conv}, the {@link MultiScaleQuantizer},
 * and {@code post_quant_conv} + decoder, built from the official {@code vae_*.pth} state dict for
 * any {@link ModelConfig}.
 *
 * <p>The model owns its {@link NDManager} and weights; {@link #close()} frees them. Weights are
 * cast once at load to the precision of {@link RuntimeOptions}; the quantizer and {@code f_hat}
 * stay in float32. Every method releases its intermediates; new arrays are attached to the manager
 * of the caller's input array (or to a manager the caller names).
 *
 * <p>Weights are read-only after load, and every call keeps its intermediates in its own
 * thread-local {@code NDScope}: one instance can serve several threads.
 *
 * <p>Images are (B, 3, H, W) in [−1, 1] with H = W = {@link ModelConfig#imageSize()}; token maps
 * are per scale (B, pn²) row-major ids.
 */
public final class VqVae implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Encoder encoder;
    private final Conv2dLayer quantConv;
    private final MultiScaleQuantizer quantizer;
    private final Conv2dLayer postQuantConv;
    private final Decoder decoder;

    private VqVae(ModelConfig config, NDManager manager, DataType dtype, VaeWeights weights)
            throws CheckpointException {
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        int z = config.zChannels();
        this.encoder = new Encoder(weights, config, dtype);
        this.quantConv = Conv2dLayer.same3x3(weights, "quant_conv", dtype, z, z);
        this.quantizer = new MultiScaleQuantizer(weights, config, manager);
        this.postQuantConv = Conv2dLayer.same3x3(weights, "post_quant_conv", dtype, z, z);
        this.decoder = new Decoder(weights, config, dtype);
    }

    /**
     * Builds the VQVAE from a state dict with the official key names ({@code encoder.*}, {@code
     * decoder.*}, {@code quantize.*}, {@code quant_conv.*}, {@code post_quant_conv.*}). The state
     * dict may be closed afterwards.
     *
     * @throws CheckpointException naming the file and key when a parameter is missing or misshapen
     */
    public static VqVae load(ModelConfig config, StateDict stateDict, RuntimeOptions options)
            throws CheckpointException {
        NDManager manager = NDManager.newBaseManager(deviceOf(options), "PyTorch");
        manager.setName("vqvae");
        TorchLogging.apply(); // libtorch is loaded now: quiet its own stderr log (NNPACK notes)
        // A private scope, so that a caller's NDScope never claims the weights.
        try (NDScope scope = new NDScope()) {
            VqVae vae =
                    new VqVae(
                            config, manager, dtypeOf(options), new VaeWeights(stateDict, manager));
            for (NDArray array : manager.getManagedArrays()) {
                NDScope.unregister(array);
            }
            return vae;
        } catch (CheckpointException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Opens {@code checkpoint} (.pth or safetensors), builds the VQVAE and closes the file again.
     */
    public static VqVae load(ModelConfig config, Path checkpoint, RuntimeOptions options)
            throws CheckpointException {
        try (StateDict stateDict = Checkpoints.open(checkpoint)) {
            return load(config, stateDict, options);
        }
    }

    static Device deviceOf(RuntimeOptions options) {
        return options.device() == RuntimeOptions.Device.GPU ? Device.gpu() : Device.cpu();
    }

    static DataType dtypeOf(RuntimeOptions options) {
        return WeightLoader.dataType(options.precision());
    }

    public ModelConfig config() {
        return config;
    }

    public MultiScaleQuantizer quantizer() {
        return quantizer;
    }

    /** The manager holding the weights (on the model device). */
    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Element type of the encoder/decoder weights and activations. */
    public DataType dtype() {
        return dtype;
    }

    // ---------------------------------------------------------------- generation-loop steps

    /**
     * A zero {@code f_hat} (B, Cvae, P, P) float32 on the model device, attached to {@code owner}.
     */
    public NDArray newFHat(NDManager owner, long batch) {
        return quantizer.newFHat(owner, batch);
    }

    /** See {@link MultiScaleQuantizer#embed}: (B, pn²) int64 to (B, Cvae, pn, pn) float32. */
    public NDArray embed(NDArray idx) {
        return quantizer.embed(idx);
    }

    /**
     * See {@link MultiScaleQuantizer#addScale}: {@code f_hat += φ(bicubic(h → P))} in place;
     * returns fHat.
     */
    public NDArray addScale(NDArray fHat, NDArray h, int si) {
        return quantizer.addScale(fHat, h, si);
    }

    /** See {@link MultiScaleQuantizer#nextScaleInput}: {@code area(f_hat → patch_nums[si+1])}. */
    public NDArray nextScaleInput(NDArray fHat, int si) {
        return quantizer.nextScaleInput(fHat, si);
    }

    /**
     * {@code fhat_to_img}: {@code clamp(decoder(post_quant_conv(f_hat)), −1, 1)} as (B, 3, H, W)
     * float32, attached to fHat's manager.
     */
    public NDArray decodeFHat(NDArray fHat) {
        checkFHat(fHat);
        return Scopes.run(
                fHat.getManager(),
                () -> {
                    NDArray x = fHat.toDevice(device(), false).toType(dtype, false);
                    NDArray image = decoder.forward(postQuantConv.forward(x)).clip(-1, 1);
                    return image.toType(DataType.FLOAT32, false);
                });
    }

    // ---------------------------------------------------------------- encode / decode

    /** {@code quant_conv(encoder(x))}: (B, 3, H, W) images to (B, Cvae, P, P) float32 features. */
    public NDArray encodeFeatures(NDArray images) {
        checkImages(images);
        return Scopes.run(
                images.getManager(),
                () -> {
                    NDArray x = images.toDevice(device(), false).toType(dtype, false);
                    return quantConv.forward(encoder.forward(x)).toType(DataType.FLOAT32, false);
                });
    }

    /**
     * {@code img_to_idxBl}: per scale (B, pn²) int64 token ids on the model device, attached to the
     * images' manager.
     */
    public List<NDArray> imgToIdxBl(NDArray images) {
        return Scopes.runAll(images.getManager(), () -> quantizer.quantize(encodeFeatures(images)));
    }

    /**
     * Token maps of a batch of images: one entry per image, holding per scale the pn² ids in
     * row-major order. Reads back from the device once.
     */
    public List<int[][]> encode(NDArray images) {
        int batch = (int) images.getShape().get(0);
        long[][] flat = new long[1][];
        Scopes.runVoid(
                () -> {
                    List<NDArray> ids = quantizer.quantize(encodeFeatures(images));
                    flat[0] = NDArrays.concat(new NDList(ids), 1).toLongArray();
                });
        return unflatten(flat[0], batch);
    }

    // (B, total tokens) ids, scales concatenated, to one int[scale][pn²] per image.
    private List<int[][]> unflatten(long[] flat, int batch) {
        int[] patchNums = config.patchNumsArray();
        int total = config.totalTokens();
        List<int[][]> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[][] scales = new int[patchNums.length][];
            int offset = b * total;
            for (int si = 0; si < patchNums.length; si++) {
                int l = patchNums[si] * patchNums[si];
                scales[si] = new int[l];
                for (int j = 0; j < l; j++) {
                    scales[si][j] = Math.toIntExact(flat[offset + j]);
                }
                offset += l;
            }
            out.add(scales);
        }
        return out;
    }

    /** Token maps and reconstruction of a batch of images, from one encoder pass. */
    public record Encoded(List<int[][]> tokens, NDArray reconstruction) {}

    /**
     * {@link #encode} and {@link #reconstruct} together, running the encoder and quantizer once:
     * the reconstruction is attached to the images' manager.
     */
    public Encoded encodeAndReconstruct(NDArray images) {
        int batch = (int) images.getShape().get(0);
        long[][] flat = new long[1][];
        NDArray reconstruction =
                Scopes.run(
                        images.getManager(),
                        () -> {
                            List<NDArray> ids = quantizer.quantize(encodeFeatures(images));
                            flat[0] = NDArrays.concat(new NDList(ids), 1).toLongArray();
                            return decodeFHat(quantizer.tokensToFHat(ids));
                        });
        return new Encoded(unflatten(flat[0], batch), reconstruction);
    }

    /**
     * {@code idxBl_to_img(last_one=True)}: token maps (one {@code int[scale][pn²]} per image, as
     * from {@link #encode}) to images (B, 3, H, W) float32 in [−1, 1], attached to {@code owner}.
     */
    public NDArray decodeTokens(List<int[][]> tokens, NDManager owner) {
        return Scopes.run(owner, () -> decodeFHat(quantizer.tokensToFHat(toDevice(tokens))));
    }

    /**
     * {@link #decodeTokens(List, NDManager)} onto the model's manager: the caller must close the
     * result.
     */
    public NDArray decodeTokens(List<int[][]> tokens) {
        return decodeTokens(tokens, manager);
    }

    /**
     * The coarse-to-fine strip of one image ({@code idxBl_to_img(last_one=False)}): entry k of the
     * result is the image decoded from the first k+1 scales alone, (S, 3, H, W) float32 in [−1, 1]
     * attached to {@code owner}. The last entry is what {@link #decodeTokens} makes of the same
     * tokens.
     */
    public NDArray decodeScales(int[][] tokens, NDManager owner) {
        return Scopes.run(
                owner,
                () ->
                        decodeFHat(
                                quantizer.tokensToFHatPerScale(
                                        toDevice(java.util.Collections.singletonList(tokens)))));
    }

    /**
     * {@code idxBl_to_img(img_to_idxBl(x), last_one=True)}: quantize and decode, (B, 3, H, W)
     * float32 in [−1, 1] attached to the images' manager.
     */
    public NDArray reconstruct(NDArray images) {
        return Scopes.run(
                images.getManager(),
                () ->
                        decodeFHat(
                                quantizer.tokensToFHat(
                                        quantizer.quantize(encodeFeatures(images)))));
    }

    // Token maps to per-scale (B, pn²) int64 arrays on the model device (inside the caller's
    // scope).
    private List<NDArray> toDevice(List<int[][]> tokens) {
        int[] patchNums = config.patchNumsArray();
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("no token maps to decode");
        }
        int batch = tokens.size();
        List<NDArray> ids = new ArrayList<>(patchNums.length);
        for (int si = 0; si < patchNums.length; si++) {
            int l = patchNums[si] * patchNums[si];
            long[] flat = new long[batch * l];
            for (int b = 0; b < batch; b++) {
                int[][] image = tokens.get(b);
                if (image.length != patchNums.length) {
                    throw new IllegalArgumentException(
                            "image "
                                    + b
                                    + " has "
                                    + image.length
                                    + " token maps, the model "
                                    + patchNums.length
                                    + " scales");
                }
                if (image[si].length != l) {
                    throw new IllegalArgumentException(
                            "image "
                                    + b
                                    + " scale "
                                    + si
                                    + " has "
                                    + image[si].length
                                    + " tokens, expected "
                                    + l);
                }
                for (int j = 0; j < l; j++) {
                    int id = image[si][j];
                    if (id < 0 || id >= config.vocabSize()) {
                        throw new IllegalArgumentException(
                                "image "
                                        + b
                                        + " scale "
                                        + si
                                        + " token "
                                        + j
                                        + " is "
                                        + id
                                        + ", outside the vocabulary 0.."
                                        + (config.vocabSize() - 1));
                    }
                    flat[b * l + j] = id;
                }
            }
            ids.add(manager.create(flat, new Shape(batch, l)));
        }
        return ids;
    }

    private void checkImages(NDArray images) {
        Shape s = images.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException(
                    "images must be (B, 3, "
                            + size
                            + ", "
                            + size
                            + ") for model "
                            + config.name()
                            + ", got "
                            + s);
        }
    }

    private void checkFHat(NDArray fHat) {
        Shape s = fHat.getShape();
        int p = config.finalPatch();
        if (s.dimension() != 4
                || s.get(1) != config.zChannels()
                || s.get(2) != p
                || s.get(3) != p) {
            throw new IllegalArgumentException(
                    "f_hat must be (B, "
                            + config.zChannels()
                            + ", "
                            + p
                            + ", "
                            + p
                            + "), got "
                            + s);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
