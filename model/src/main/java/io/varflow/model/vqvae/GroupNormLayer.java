package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;

/**
 * {@code nn.GroupNorm(32, C, eps=1e-6, affine=True)}: per sample and group, subtract the mean and
 * divide by the square root of the biased variance plus eps, then scale and shift per channel.
 */
final class GroupNormLayer {

    static final int GROUPS = 32;
    static final float EPS = 1e-6f;

    private final NDArray gamma; // (C, 1, 1) so that it broadcasts over (B, C, H, W)
    private final NDArray beta;

    private GroupNormLayer(NDArray gamma, NDArray beta) {
        this.gamma = gamma;
        this.beta = beta;
    }

    static GroupNormLayer load(VaeWeights weights, String prefix, DataType dtype, int channels)
            throws CheckpointException {
        if (channels % GROUPS != 0) {
            throw new IllegalArgumentException(prefix + ": " + channels + " channels do not split into "
                    + GROUPS + " groups");
        }
        NDArray w = weights.load(prefix + ".weight", dtype, channels);
        NDArray b = weights.load(prefix + ".bias", dtype, channels);
        NDArray gamma = w.reshape(channels, 1, 1);
        NDArray beta = b.reshape(channels, 1, 1);
        return new GroupNormLayer(gamma, beta);
    }

    NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), GROUPS, -1);
        NDArray centered = grouped.sub(grouped.mean(new int[] {2}, true));
        NDArray variance = centered.square().mean(new int[] {2}, true);
        NDArray normalized = centered.div(variance.add(EPS).sqrt()).reshape(shape);
        return normalized.mul(gamma).add(beta);
    }
}
