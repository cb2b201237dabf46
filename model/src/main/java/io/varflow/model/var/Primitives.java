package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The small functional pieces of the transformer (LayerNorm without affine, SiLU, Linear; the FFN's
 * fc1 with its tanh-GELU is {@code TorchFunctions.linearGeluTanh}). Every constant they need lives
 * on the device from load time on, so a forward pass never uploads a Java number (each {@code
 * mul(Number)} would be a host-to-device copy).
 */
final class Primitives implements AutoCloseable {

    private final float eps;
    private final Shape normalizedShape;
    private final NDArray lnWeight;
    private final NDArray lnBias;
    private final NDArray one;

    Primitives(NDManager manager, DataType type, int width, double eps) {
        this.eps = (float) eps;
        this.normalizedShape = new Shape(width);
        this.lnWeight = manager.ones(normalizedShape, type);
        this.lnBias = manager.zeros(normalizedShape, type);
        this.one = scalar(manager, type, 1.0);
    }

    static NDArray scalar(NDManager manager, DataType type, double value) {
        try (NDArray f = manager.create((float) value)) {
            return owned(f, type);
        }
    }

    /**
     * A copy of {@code created} in {@code type} that owns its memory. On the CPU, arrays made by
     * {@code NDManager.create(...)} wrap a Java direct buffer, and the PyTorch engine's {@code
     * toType(sameType, copy=true)} returns a tensor over that same buffer (torch's {@code to()}
     * without copy), which dangles once the wrapper is closed: clone instead.
     */
    static NDArray owned(NDArray created, DataType type) {
        if (created.getDataType() == type) {
            return created.duplicate();
        }
        return created.toType(type, false);
    }

    NDArray one() {
        return one;
    }

    /** LayerNorm over the last axis, no affine parameters, biased variance (F.layer_norm). */
    NDArray layerNorm(NDArray x) {
        return x.getNDArrayInternal()
                .layerNorm(x, normalizedShape, lnWeight, lnBias, eps)
                .singletonOrThrow();
    }

    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** y = x W^T + b, the same kernel as torch's F.linear. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public void close() {
        lnWeight.close();
        lnBias.close();
        one.close();
    }
}
