package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.nn.TorchFunctions;

/**
 * {@code nn.GroupNorm(32, C, eps=1e-6, affine=True)}: per sample and group, subtract the mean and
 * divide by the square root of the biased variance plus eps, then scale and shift per channel.
 * libtorch's own kernel: one pass for the statistics and one for the output, in any memory format,
 * with float32 statistics for half-precision inputs.
 */
final class GroupNormLayer {

    static final int GROUPS = 32;
    static final double EPS = 1e-6;

    private final NDArray gamma;
    private final NDArray beta;

    private GroupNormLayer(NDArray gamma, NDArray beta) {
        this.gamma = gamma;
        this.beta = beta;
    }

    static GroupNormLayer load(VaeWeights weights, String prefix, DataType dtype, int channels)
            throws CheckpointException {
        if (channels % GROUPS != 0) {
            throw new IllegalArgumentException(
                    prefix + ": " + channels + " channels do not split into " + GROUPS + " groups");
        }
        return of(
                weights.load(prefix + ".weight", dtype, channels),
                weights.load(prefix + ".bias", dtype, channels));
    }

    /** A layer from its (C) scale and shift. */
    static GroupNormLayer of(NDArray weight, NDArray bias) {
        return new GroupNormLayer(weight, bias);
    }

    NDArray forward(NDArray x) {
        return TorchFunctions.groupNorm(x, gamma, beta, GROUPS, EPS);
    }

    /** {@code silu(forward(x))}, the activation applied in place to the fresh normalised map. */
    NDArray forwardSilu(NDArray x) {
        return TorchFunctions.groupNormSilu(x, gamma, beta, GROUPS, EPS);
    }
}
