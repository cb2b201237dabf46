package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.nn.TorchFunctions;

/** Resizing operations shared by the encoder and decoder. */
final class VaeOps {

    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private VaeOps() {}

    /** Nearest-neighbour ×2 up-sampling (each pixel becomes a 2×2 block). */
    static NDArray nearest2x(NDArray x) {
        return TorchFunctions.upsampleNearest2x(x);
    }

    /**
     * Zero padding by one row at the bottom and one column at the right, before a stride-2 conv.
     */
    static NDArray padRightBottom(NDArray x) {
        return x.pad(PAD_RIGHT_BOTTOM, 0);
    }
}
