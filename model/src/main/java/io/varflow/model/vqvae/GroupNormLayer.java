package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
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
    private final long groupSize; // elements per group at the resolution this layer runs at
    private final NDArray[] unitAffine; // ones and zeros of groupSize for the fused path

    private GroupNormLayer(NDArray gamma, NDArray beta, long groupSize, NDArray[] unitAffine) {
        this.gamma = gamma;
        this.beta = beta;
        this.groupSize = groupSize;
        this.unitAffine = unitAffine;
    }

    /**
     * @param resolution side of the square feature maps this layer normalizes (for the fused path;
     *     other sizes still work, through the slower composed path)
     */
    static GroupNormLayer load(
            VaeWeights weights,
            String prefix,
            DataType dtype,
            int channels,
            int resolution,
            NormConstants constants)
            throws CheckpointException {
        if (channels % GROUPS != 0) {
            throw new IllegalArgumentException(
                    prefix + ": " + channels + " channels do not split into " + GROUPS + " groups");
        }
        NDArray w = weights.load(prefix + ".weight", dtype, channels);
        NDArray b = weights.load(prefix + ".bias", dtype, channels);
        return of(w, b, resolution, constants);
    }

    /** A layer from its (C) scale and shift, for maps of side {@code resolution}. */
    static GroupNormLayer of(
            NDArray weight, NDArray bias, int resolution, NormConstants constants) {
        int channels = Math.toIntExact(weight.size());
        long groupSize = (long) channels / GROUPS * resolution * resolution;
        return new GroupNormLayer(
                weight.reshape(channels, 1, 1),
                bias.reshape(channels, 1, 1),
                groupSize,
                constants.identityAffine(groupSize));
    }

    NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        if (shape.size() == batch * GROUPS * groupSize
                && x.getDataType() == unitAffine[0].getDataType()) {
            // One fused kernel for the statistics (torch accumulates half inputs in float32).
            NDArray grouped = x.reshape(batch, GROUPS, groupSize);
            NDArray normalized =
                    LayerNorm.layerNorm(
                                    grouped,
                                    new Shape(groupSize),
                                    unitAffine[0],
                                    unitAffine[1],
                                    EPS)
                            .singletonOrThrow()
                            .reshape(shape);
            return normalized
                    .muli(gamma)
                    .addi(beta); // in place: normalized is this method's own temporary
        }
        return composed(x);
    }

    // The same computation from elementary operations, for inputs of another size.
    NDArray composed(NDArray x) {
        Shape shape = x.getShape();
        // Statistics in float32 even for half-precision activations, as torch autocast does.
        DataType type = x.getDataType();
        NDArray grouped = x.toType(DataType.FLOAT32, false).reshape(shape.get(0), GROUPS, -1);
        NDArray centered = grouped.sub(grouped.mean(new int[] {2}, true));
        NDArray variance = centered.square().mean(new int[] {2}, true);
        NDArray normalized =
                centered.div(variance.add(EPS).sqrt()).reshape(shape).toType(type, false);
        return normalized.mul(gamma).add(beta);
    }
}
