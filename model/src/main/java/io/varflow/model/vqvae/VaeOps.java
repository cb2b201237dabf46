package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Padding before the encoder's stride-2 down-sampling. */
final class VaeOps {

    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private VaeOps() {}

    /**
     * Zero padding by one row at the bottom and one column at the right, before a stride-2 conv.
     */
    static NDArray padRightBottom(NDArray x) {
        return x.pad(PAD_RIGHT_BOTTOM, 0);
    }
}
