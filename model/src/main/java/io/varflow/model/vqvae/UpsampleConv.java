package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.nn.TorchFunctions;
import java.util.List;

/**
 * The decoder's up-sampling: nearest-neighbour ×2, then a 3×3 same-size convolution ({@code
 * upsample.conv}). Computed without the ×2 map: an output pixel of parity (a, b) sees only a 2×2
 * window of the small map, so each parity is a 2×2 convolution whose taps are sums of the 3×3
 * kernel's rows and columns. Same function, 16 instead of 36 multiply-adds per small-map pixel and
 * channel pair, and no 4× intermediate; the sums of weights round differently from the products
 * they replace, so results agree to float precision, not bit for bit.
 */
final class UpsampleConv {

    /**
     * For parity a, which 3×3 kernel rows fall on each of the two source rows it reads: parity 0
     * reads rows i-1 (kernel row 0) and i (rows 1 and 2), parity 1 reads i (rows 0 and 1) and i+1
     * (row 2). Columns likewise.
     */
    private static final float[][] TAPS = {
        {1, 0, 0, 0, 1, 1},
        {1, 1, 0, 0, 0, 1}
    };

    private final NDArray phaseWeight; // (4·C, Cin, 2, 2), parity (a, b) major
    private final NDArray phaseBias; // (4·C)

    private UpsampleConv(NDArray phaseWeight, NDArray phaseBias) {
        this.phaseWeight = phaseWeight;
        this.phaseBias = phaseBias;
    }

    static UpsampleConv load(VaeWeights weights, String prefix, DataType dtype, int channels)
            throws CheckpointException {
        try (NDArray w =
                        weights.load(
                                prefix + ".weight", DataType.FLOAT32, channels, channels, 3, 3);
                NDArray b = weights.load(prefix + ".bias", DataType.FLOAT32, channels)) {
            return of(w, b, dtype);
        }
    }

    /** From a 3×3 kernel (C, Cin, 3, 3) and bias (C), combined in float32 then cast to dtype. */
    static UpsampleConv of(NDArray weight, NDArray bias, DataType dtype) {
        NDManager m = weight.getManager();
        List<NDArray> combined =
                Scopes.runAll(
                        m,
                        () -> {
                            NDArray[] taps = {
                                m.create(TAPS[0], new Shape(2, 3)),
                                m.create(TAPS[1], new Shape(2, 3))
                            };
                            NDList phases = new NDList();
                            for (int a = 0; a < 2; a++) {
                                for (int b = 0; b < 2; b++) {
                                    // (2, 3) · (C, Cin, 3, 3) · (3, 2): rows then columns summed.
                                    phases.add(taps[a].matMul(weight).matMul(taps[b].transpose()));
                                }
                            }
                            Shape shape = weight.getShape();
                            NDArray stacked =
                                    NDArrays.stack(phases, 0)
                                            .reshape(4 * shape.get(0), shape.get(1), 2, 2);
                            NDArray repeatedBias =
                                    NDArrays.concat(new NDList(bias, bias, bias, bias), 0);
                            return List.of(
                                    stacked.toType(dtype, false),
                                    repeatedBias.toType(dtype, false));
                        });
        return new UpsampleConv(combined.get(0), combined.get(1));
    }

    /** (B, Cin, H, W) to (B, C, 2H, 2W), stored channels-last when {@code channelsLast}. */
    NDArray forward(NDArray x, boolean channelsLast) {
        return TorchFunctions.upsampleConv(x, phaseWeight, phaseBias, channelsLast);
    }
}
