package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.nn.TorchFunctions;

/**
 * One AdaLN self-attention block ({@code blocks.i.}): attention with q/v biases (K has none),
 * optional l2-normalised q/k with a clamped learned per-head scale, a KV cache across scales, and a
 * tanh-GELU FFN, both branches modulated by the class conditioning.
 */
final class AdaLnBlock implements AutoCloseable {

    private static final double MAX_SCALE_MUL = Math.log(100.0);
    private static final double NORMALIZE_EPS = 1e-12;

    private final int index;
    private final int width;
    private final int heads;
    private final int headDim;
    private final boolean l2Norm;
    private final NDArray qkvWeight;
    private final NDArray qkvBias;

    /**
     * l2-norm: exp(min(scale_mul, ln 100)) per head (1, H, 1, 1); otherwise the scalar
     * 0.25/sqrt(hd).
     */
    private final NDArray queryScale;

    private final NDArray projWeight;
    private final NDArray projBias;
    private final NDArray fc1Weight;
    private final NDArray fc1Bias;
    private final NDArray fc2Weight;
    private final NDArray fc2Bias;

    /** Non-shared AdaLN: ada_lin.1 (6C, C) and (6C); null with shared_aln. */
    private final NDArray adaWeight;

    private final NDArray adaBias;

    /** Shared AdaLN: ada_gss (1, 1, 6, C); null otherwise. */
    private final NDArray adaGss;

    AdaLnBlock(ModelConfig config, int index, DeviceTensors tensors) throws CheckpointException {
        this.index = index;
        this.width = config.embedDim();
        this.heads = config.numHeads();
        this.headDim = config.headDim();
        this.l2Norm = config.attnL2Norm();
        int c = width;
        int hidden = ModelConfig.MLP_RATIO * c;
        String p = "blocks." + index + ".";
        NDManager m = tensors.manager();
        qkvWeight = tensors.load(p + "attn.mat_qkv.weight", 3L * c, c);
        try (NDArray q = tensors.load(p + "attn.q_bias", c);
                NDArray v = tensors.load(p + "attn.v_bias", c);
                NDArray zeroK = m.zeros(new Shape(c), tensors.runType())) {
            qkvBias = NDArrays.concat(new NDList(q, zeroK, v), 0);
        }
        if (l2Norm) {
            try (NDArray scaleMul = tensors.loadFloat32(p + "attn.scale_mul_1H11", 1, heads, 1, 1);
                    NDArray cap =
                            Primitives.scalar(
                                    m, ai.djl.ndarray.types.DataType.FLOAT32, MAX_SCALE_MUL);
                    NDArray clamped = scaleMul.minimum(cap);
                    NDArray exp = clamped.exp()) {
                queryScale = Primitives.owned(exp, tensors.runType());
            }
        } else {
            queryScale = Primitives.scalar(m, tensors.runType(), 0.25 / Math.sqrt(headDim));
        }
        projWeight = tensors.load(p + "attn.proj.weight", c, c);
        projBias = tensors.load(p + "attn.proj.bias", c);
        fc1Weight = tensors.load(p + "ffn.fc1.weight", hidden, c);
        fc1Bias = tensors.load(p + "ffn.fc1.bias", hidden);
        fc2Weight = tensors.load(p + "ffn.fc2.weight", c, hidden);
        fc2Bias = tensors.load(p + "ffn.fc2.bias", c);
        if (config.sharedAln()) {
            adaWeight = null;
            adaBias = null;
            adaGss = tensors.load(p + "ada_gss", 1, 1, 6, c);
        } else {
            adaWeight = tensors.load(p + "ada_lin.1.weight", 6L * c, c);
            adaBias = tensors.load(p + "ada_lin.1.bias", 6L * c);
            adaGss = null;
        }
    }

    /**
     * This block's modulation for one generation.
     *
     * @param siluCond SiLU(class embedding), (2B, C); used without shared_aln
     * @param shared shared_ada_lin output viewed (2B, 1, 6, C); used with shared_aln
     */
    BlockModulation modulation(NDArray siluCond, NDArray shared, Primitives ops) {
        NDArray six;
        if (adaGss != null) {
            six = adaGss.add(shared);
        } else {
            six = Primitives.linear(siluCond, adaWeight, adaBias).reshape(-1, 1, 6, width);
        }
        // Order of the six chunks as in the official block: gamma1, gamma2, scale1, scale2, shift1,
        // shift2.
        NDArray[] part = new NDArray[6];
        for (int i = 0; i < 6; i++) {
            part[i] = six.get(new NDIndex(":, :, {}", i));
        }
        return new BlockModulation(
                part[0], part[1], part[2].add(ops.one()), part[3].add(ops.one()), part[4], part[5]);
    }

    /**
     * Runs the block on this scale's tokens {@code x} (2B, l, C), which occupy positions [start,
     * end) of the sequence; their keys and values are written to the cache and attention covers [0,
     * end).
     */
    NDArray forward(
            NDArray x, BlockModulation mod, KvCache cache, int start, int end, Primitives ops) {
        // In-place updates of fresh temporaries only (x belongs to the caller); a + b == b + a bit
        // for bit.
        NDArray attnIn = ops.layerNorm(x).muli(mod.scale1p()).addi(mod.shift1());
        NDArray h = attention(attnIn, cache, start, end).muli(mod.gamma1()).addi(x);
        attnIn.close();
        NDArray ffnIn = ops.layerNorm(h).muli(mod.scale2p()).addi(mod.shift2());
        NDArray hidden = TorchFunctions.linearGeluTanh(ffnIn, fc1Weight, fc1Bias);
        ffnIn.close();
        NDArray out = Primitives.linear(hidden, fc2Weight, fc2Bias).muli(mod.gamma2()).addi(h);
        hidden.close();
        h.close();
        return out;
    }

    private NDArray attention(NDArray x, KvCache cache, int start, int end) {
        Shape shape = x.getShape();
        long rows = shape.get(0);
        long tokens = shape.get(1);
        // (2B, l, 3C) -> (2B, l, 3, H, hd) -> (3, 2B, H, l, hd)
        NDArray qkv =
                Primitives.linear(x, qkvWeight, qkvBias)
                        .reshape(rows, tokens, 3, heads, headDim)
                        .transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        if (l2Norm) {
            q = q.normalize(2, -1, NORMALIZE_EPS).mul(queryScale);
            k = k.normalize(2, -1, NORMALIZE_EPS);
        } else {
            q = q.mul(queryScale);
        }
        cache.write(index, start, end, k, v);
        NDArray keys = cache.keys(index, end);
        NDArray values = cache.values(index, end);
        // softmax(q·kᵀ)·v in one kernel (q carries the scale): the (2B, H, l, L) weights are never
        // stored, which halved attention time at the last scale on the CPU.
        NDArray out =
                TorchFunctions.attention(q, keys, values)
                        .transpose(0, 2, 1, 3)
                        .reshape(rows, tokens, width);
        return Primitives.linear(out, projWeight, projBias);
    }

    @Override
    public void close() {
        for (NDArray a :
                new NDArray[] {
                    qkvWeight,
                    qkvBias,
                    queryScale,
                    projWeight,
                    projBias,
                    fc1Weight,
                    fc1Bias,
                    fc2Weight,
                    fc2Bias,
                    adaWeight,
                    adaBias,
                    adaGss
                }) {
            if (a != null) {
                a.close();
            }
        }
    }
}
