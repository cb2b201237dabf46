package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.varflow.model.checkpoint.CheckpointException;

/** A square-kernel {@code nn.Conv2d} with bias, as every convolution of the VQVAE is. */
final class Conv2dLayer {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation = new Shape(1, 1);

    private Conv2dLayer(NDArray weight, NDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    static Conv2dLayer load(
            VaeWeights weights,
            String prefix,
            DataType dtype,
            int in,
            int out,
            int kernel,
            int stride,
            int padding)
            throws CheckpointException {
        NDArray w = weights.load(prefix + ".weight", dtype, out, in, kernel, kernel);
        NDArray b = weights.load(prefix + ".bias", dtype, out);
        return new Conv2dLayer(w, b, stride, padding);
    }

    /** 3×3, stride 1, padding 1: the size-preserving convolution. */
    static Conv2dLayer same3x3(VaeWeights weights, String prefix, DataType dtype, int in, int out)
            throws CheckpointException {
        return load(weights, prefix, dtype, in, out, 3, 1, 1);
    }

    /** 1×1 convolution (projections and shortcuts). */
    static Conv2dLayer pointwise(VaeWeights weights, String prefix, DataType dtype, int in, int out)
            throws CheckpointException {
        return load(weights, prefix, dtype, in, out, 1, 1, 0);
    }

    NDArray forward(NDArray x) {
        return Conv2d.conv2d(x, weight, bias, stride, padding, dilation, 1).singletonOrThrow();
    }
}
