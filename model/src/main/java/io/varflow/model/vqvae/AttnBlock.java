package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;

/**
 * Single-head self-attention over the H·W positions of a feature map: {@code qkv =
 * Conv1x1(C→3C)(norm(x))}, {@code w = softmax(qᵀk · C^-½)}, {@code out = x + proj_out(v·wᵀ)}.
 */
final class AttnBlock {

    private final GroupNormLayer norm;
    private final Conv2dLayer qkv;
    private final Conv2dLayer projOut;
    private final int channels;
    private final float scale;

    private AttnBlock(GroupNormLayer norm, Conv2dLayer qkv, Conv2dLayer projOut, int channels) {
        this.norm = norm;
        this.qkv = qkv;
        this.projOut = projOut;
        this.channels = channels;
        this.scale = (float) Math.pow(channels, -0.5);
    }

    static AttnBlock load(VaeWeights weights, String prefix, DataType dtype, int channels)
            throws CheckpointException {
        return new AttnBlock(
                GroupNormLayer.load(weights, prefix + ".norm", dtype, channels),
                Conv2dLayer.pointwise(weights, prefix + ".qkv", dtype, channels, 3 * channels),
                Conv2dLayer.pointwise(weights, prefix + ".proj_out", dtype, channels, channels),
                channels);
    }

    NDArray forward(NDArray x) {
        return Scopes.layer(() -> attend(x));
    }

    private NDArray attend(NDArray x) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long positions = shape.get(2) * shape.get(3);
        NDArray packed = qkv.forward(norm.forward(x)).reshape(batch, 3, channels, positions);
        NDArray q = packed.get(":, 0").transpose(0, 2, 1); // (B, HW, C)
        NDArray k = packed.get(":, 1"); // (B, C, HW)
        NDArray v = packed.get(":, 2"); // (B, C, HW)
        // Softmax in float32 even for half-precision activations, as torch autocast does.
        NDArray weights =
                q.matMul(k)
                        .mul(scale)
                        .toType(DataType.FLOAT32, false)
                        .softmax(2)
                        .toType(x.getDataType(), false); // (B, HW_q, HW_k)
        NDArray attended = v.matMul(weights.transpose(0, 2, 1)).reshape(shape); // (B, C, HW_q)
        return x.add(projOut.forward(attended));
    }
}
