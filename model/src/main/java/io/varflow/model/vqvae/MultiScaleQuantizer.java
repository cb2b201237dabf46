package io.varflow.model.vqvae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * VAR's multi-scale residual quantizer ({@code VectorQuantizer2} at inference): the codebook, the
 * partially shared residual refiners φ and the resampling between each scale's {@code pn×pn} token
 * map and the final {@code P×P} feature map {@code f_hat}.
 *
 * <p>Everything here runs in float32 whatever the model precision (the official {@code f_hat} is
 * float32 too); it is a few small tensors per scale. Resizes are matmuls with matrices from {@link
 * Resampling} kept on the device: {@code out = M_h · X · M_wᵀ}.
 *
 * <p>Methods that return a new array attach it to the manager of their (first) array argument and
 * release every intermediate before returning.
 */
public final class MultiScaleQuantizer {

    private final int[] patchNums;
    private final int finalPatch;
    private final int channels;
    private final int vocabSize;
    private final NDArray codebook; // (V, Cvae)
    private final NDArray codebookT; // (Cvae, V)
    private final NDArray codebookSquaredNorms; // (V)
    private final List<Phi> phis;
    private final int[] phiIndex;
    // Per scale si < last: bicubic pn->P as (P, pn) and its transpose; area P->pn as (pn, P) and
    // its transpose.
    private final NDArray[] up;
    private final NDArray[] upT;
    private final NDArray[] down;
    private final NDArray[] downT;

    MultiScaleQuantizer(VaeWeights w, ModelConfig config, NDManager manager)
            throws CheckpointException {
        this.patchNums = config.patchNumsArray();
        this.finalPatch = config.finalPatch();
        this.channels = config.zChannels();
        this.vocabSize = config.vocabSize();
        DataType f32 = DataType.FLOAT32;
        this.codebook = w.load("quantize.embedding.weight", f32, vocabSize, channels);
        this.codebookT = codebook.transpose().duplicate();
        this.codebookSquaredNorms = codebook.square().sum(new int[] {1});
        int k = config.shareQuantResi();
        this.phis = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Conv2dLayer conv = null;
            if (!Phi.isIdentity(config.quantResi())) {
                String prefix =
                        k == 1 ? "quantize.quant_resi.qresi" : "quantize.quant_resi.qresi_ls." + i;
                conv = Conv2dLayer.same3x3(w, prefix, f32, channels, channels);
            }
            phis.add(new Phi(conv, config.quantResi()));
        }
        this.phiIndex = phiIndices(patchNums.length, k);
        int scales = patchNums.length;
        up = new NDArray[scales];
        upT = new NDArray[scales];
        down = new NDArray[scales];
        downT = new NDArray[scales];
        Device device = manager.getDevice();
        for (int si = 0; si < scales; si++) {
            int pn = patchNums[si];
            if (pn == finalPatch) {
                continue; // the last scale is never resampled
            }
            double[][] bicubic = Resampling.bicubic(pn, finalPatch);
            double[][] area = Resampling.area(finalPatch, pn);
            up[si] = matrix(manager, bicubic, false, device);
            upT[si] = matrix(manager, bicubic, true, device);
            down[si] = matrix(manager, area, false, device);
            downT[si] = matrix(manager, area, true, device);
        }
    }

    private static NDArray matrix(
            NDManager manager, double[][] m, boolean transpose, Device device) {
        int rows = transpose ? m[0].length : m.length;
        int cols = transpose ? m.length : m[0].length;
        float[] flat = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                flat[r * cols + c] = (float) (transpose ? m[c][r] : m[r][c]);
            }
        }
        return manager.create(flat, new Shape(rows, cols)).toDevice(device, false);
    }

    /**
     * Which of the {@code k} shared φ serves scale {@code si} of {@code numScales}, exactly as
     * {@code PhiPartiallyShared.__getitem__(si / (numScales − 1))} picks it with numpy float64
     * arithmetic: ticks {@code linspace(1/3/k, 1 − 1/3/k, k)} for k = 4, otherwise {@code
     * linspace(1/2/k, 1 − 1/2/k, k)}; the first index of the smallest distance wins.
     */
    public static int phiIndex(int si, int numScales, int k) {
        if (k <= 0 || numScales <= 0 || si < 0 || si >= numScales) {
            throw new IllegalArgumentException(
                    "scale " + si + " of " + numScales + " with " + k + " shared phi");
        }
        if (k == 1) {
            return 0; // PhiShared: one refiner for every scale
        }
        double start = k == 4 ? 1.0 / 3 / k : 1.0 / 2 / k;
        double stop = 1 - start;
        double step = (stop - start) / (k - 1);
        // A single scale has no position in [0, 1]; the official code divides by zero there.
        double at = numScales == 1 ? 0.0 : (double) si / (numScales - 1);
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double tick =
                    i == k - 1
                            ? stop
                            : i * step + start; // numpy.linspace sets the endpoint exactly
            double distance = Math.abs(tick - at);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }

    /** {@link #phiIndex} for every scale. */
    public static int[] phiIndices(int numScales, int k) {
        int[] indices = new int[numScales];
        for (int si = 0; si < numScales; si++) {
            indices[si] = phiIndex(si, numScales, k);
        }
        return indices;
    }

    /** The φ index used at each scale of this model. */
    public int[] phiIndices() {
        return phiIndex.clone();
    }

    public int[] patchNums() {
        return patchNums.clone();
    }

    public int numScales() {
        return patchNums.length;
    }

    /** The codebook as (V, Cvae) float32; owned by the model, do not close. */
    public NDArray codebook() {
        return codebook;
    }

    /**
     * A zero {@code f_hat} (B, Cvae, P, P) float32 on the model device, attached to {@code
     * manager}.
     */
    public NDArray newFHat(NDManager manager, long batch) {
        return manager.zeros(
                new Shape(batch, channels, finalPatch, finalPatch),
                DataType.FLOAT32,
                codebook.getDevice());
    }

    /**
     * Codebook vectors of a token map: (B, pn²) int64 ids, row-major, to (B, Cvae, pn, pn) float32.
     */
    public NDArray embed(NDArray idx) {
        Shape shape = idx.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("token ids must be (B, pn*pn), got " + shape);
        }
        long batch = shape.get(0);
        int pn = sideOf(shape.get(1));
        return Scopes.run(idx.getManager(), () -> embedInScope(idx, batch, pn));
    }

    /**
     * Adds scale {@code si}'s contribution to {@code fHat} in place and returns {@code fHat}:
     * {@code f_hat += φ_k(bicubic(h → P×P))}, without resampling at the last scale (k from {@link
     * #phiIndices()}). {@code h} is (B, Cvae, pn, pn) as from {@link #embed}.
     */
    public NDArray addScale(NDArray fHat, NDArray h, int si) {
        checkScale(si);
        Shape hs = h.getShape();
        Shape fs = fHat.getShape();
        int pn = patchNums[si];
        if (hs.dimension() != 4
                || hs.get(0) != fs.get(0)
                || hs.get(1) != channels
                || hs.get(2) != pn
                || hs.get(3) != pn) {
            throw new IllegalArgumentException(
                    "scale "
                            + si
                            + " needs h of shape ("
                            + fs.get(0)
                            + ", "
                            + channels
                            + ", "
                            + pn
                            + ", "
                            + pn
                            + "), got "
                            + hs);
        }
        Scopes.runVoid(() -> fHat.addi(residual(h, si)));
        return fHat;
    }

    /**
     * The next scale's VAR input: {@code area(f_hat → pn×pn)} with pn = patch_nums[si+1], (B, Cvae,
     * pn, pn).
     */
    public NDArray nextScaleInput(NDArray fHat, int si) {
        if (si < 0 || si + 1 >= patchNums.length) {
            throw new IllegalArgumentException(
                    "no scale after " + si + " (scales 0.." + (patchNums.length - 1) + ")");
        }
        return Scopes.run(
                fHat.getManager(),
                () -> {
                    NDArray next = area(fHat, si + 1);
                    return next == fHat ? fHat.duplicate() : next;
                });
    }

    /**
     * Image features to per-scale token ids ({@code f_to_idxBl_or_fhat(to_fhat=False)}): at every
     * scale the nearest code of {@code area(f_rest → pn)} by {@code argmin ‖z‖² + ‖e‖² − 2z·e},
     * then {@code f_rest −= φ(bicubic(E[idx]))}. Returns (B, pn²) int64 per scale, attached to f's
     * manager.
     */
    public List<NDArray> quantize(NDArray f) {
        checkFeatures(f);
        long batch = f.getShape().get(0);
        return Scopes.runAll(
                f.getManager(),
                () -> {
                    List<NDArray> ids = new ArrayList<>(patchNums.length);
                    NDArray rest = f.toType(DataType.FLOAT32, false);
                    for (int si = 0; si < patchNums.length; si++) {
                        int pn = patchNums[si];
                        NDArray z =
                                area(rest, si)
                                        .transpose(0, 2, 3, 1)
                                        .reshape(-1, channels); // (B·pn², C)
                        NDArray distances =
                                z.square()
                                        .sum(new int[] {1}, true)
                                        .add(codebookSquaredNorms)
                                        .sub(z.matMul(codebookT).mul(2));
                        NDArray idx = distances.argMin(1).reshape(batch, (long) pn * pn);
                        rest = rest.sub(residual(embedInScope(idx, batch, pn), si));
                        ids.add(idx);
                    }
                    return ids;
                });
    }

    /**
     * {@code embed_to_fhat(last_one=True)}: the sum over scales of φ(bicubic(E[idx])), (B, Cvae, P,
     * P).
     */
    public NDArray tokensToFHat(List<NDArray> idxBl) {
        if (idxBl.size() != patchNums.length) {
            throw new IllegalArgumentException(
                    idxBl.size() + " token maps for " + patchNums.length + " scales");
        }
        NDArray first = idxBl.get(0);
        return Scopes.run(
                first.getManager(),
                () -> {
                    NDArray fHat = newFHat(first.getManager(), first.getShape().get(0));
                    for (int si = 0; si < patchNums.length; si++) {
                        NDArray idx = idxBl.get(si);
                        if (idx.getShape().get(1) != (long) patchNums[si] * patchNums[si]) {
                            throw new IllegalArgumentException(
                                    "scale "
                                            + si
                                            + " needs "
                                            + patchNums[si] * patchNums[si]
                                            + " tokens per image, got "
                                            + idx.getShape());
                        }
                        fHat.addi(
                                residual(
                                        embedInScope(idx, idx.getShape().get(0), patchNums[si]),
                                        si));
                    }
                    return fHat;
                });
    }

    /**
     * The coarse-to-fine prefixes of one image's {@code f_hat} ({@code
     * embed_to_fhat(last_one=False)}): entry k is the sum of the first k+1 scales' residuals, (1,
     * Cvae, P, P) each, stacked as (S, Cvae, P, P) float32 and attached to the first array's
     * manager. The last entry equals {@link #tokensToFHat} of the same tokens.
     *
     * @param idxBl per scale (1, pn²) int64 ids of a single image
     */
    public NDArray tokensToFHatPerScale(List<NDArray> idxBl) {
        if (idxBl.size() != patchNums.length) {
            throw new IllegalArgumentException(
                    idxBl.size() + " token maps for " + patchNums.length + " scales");
        }
        NDArray first = idxBl.get(0);
        if (first.getShape().get(0) != 1) {
            throw new IllegalArgumentException(
                    "one image at a time, got a batch of " + first.getShape().get(0));
        }
        return Scopes.run(
                first.getManager(),
                () -> {
                    NDArray fHat = newFHat(first.getManager(), 1);
                    List<NDArray> prefixes = new ArrayList<>(patchNums.length);
                    for (int si = 0; si < patchNums.length; si++) {
                        NDArray idx = idxBl.get(si);
                        fHat = fHat.add(residual(embedInScope(idx, 1, patchNums[si]), si));
                        prefixes.add(fHat);
                    }
                    return NDArrays.concat(new NDList(prefixes), 0);
                });
    }

    // φ_k(bicubic(h → P)), bicubic skipped at the last scale.
    private NDArray residual(NDArray h, int si) {
        NDArray h32 = h.toDevice(codebook.getDevice(), false).toType(DataType.FLOAT32, false);
        NDArray upsampled = up[si] == null ? h32 : up[si].matMul(h32).matMul(upT[si]);
        return phis.get(phiIndex[si]).forward(upsampled);
    }

    // area(f → patch_nums[si]), the identity at full size.
    private NDArray area(NDArray f, int si) {
        return down[si] == null ? f : down[si].matMul(f).matMul(downT[si]);
    }

    private NDArray embedInScope(NDArray idx, long batch, int pn) {
        NDArray ids = idx.toDevice(codebook.getDevice(), false).toType(DataType.INT64, false);
        NDArray vectors = Embedding.embedding(ids, codebook, SparseFormat.DENSE).singletonOrThrow();
        return vectors.transpose(0, 2, 1).reshape(batch, channels, pn, pn);
    }

    private int sideOf(long tokens) {
        for (int pn : patchNums) {
            if ((long) pn * pn == tokens) {
                return pn;
            }
        }
        throw new IllegalArgumentException(
                tokens
                        + " tokens per image is no scale of patch_nums "
                        + java.util.Arrays.toString(patchNums));
    }

    private void checkScale(int si) {
        if (si < 0 || si >= patchNums.length) {
            throw new IllegalArgumentException(
                    "scale " + si + " out of 0.." + (patchNums.length - 1));
        }
    }

    private void checkFeatures(NDArray f) {
        Shape s = f.getShape();
        if (s.dimension() != 4
                || s.get(1) != channels
                || s.get(2) != finalPatch
                || s.get(3) != finalPatch) {
            throw new IllegalArgumentException(
                    "features must be (B, "
                            + channels
                            + ", "
                            + finalPatch
                            + ", "
                            + finalPatch
                            + "), got "
                            + s);
        }
    }

    /** Vocabulary size V. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Latent channels Cvae. */
    public int channels() {
        return channels;
    }

    /** Side P of {@code f_hat} (the last patch size). */
    public int finalPatch() {
        return finalPatch;
    }
}
