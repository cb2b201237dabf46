package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** Element-wise and resizing operations shared by the encoder and decoder. */
final class VaeOps {

    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private VaeOps() {}

    /** SiLU (swish): {@code x·sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return Activation.sigmoid(x)
                .muli(x); // one allocation: the product overwrites the fresh sigmoid
    }

    /** {@code silu(norm(x))} with the normalized map released before returning. */
    static NDArray normSilu(GroupNormLayer norm, NDArray x) {
        return Scopes.layer(() -> silu(norm.forward(x)));
    }

    /** Nearest-neighbour ×2 up-sampling (each pixel becomes a 2×2 block). */
    static NDArray nearest2x(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /**
     * Zero padding by one row at the bottom and one column at the right, before a stride-2 conv.
     */
    static NDArray padRightBottom(NDArray x) {
        return x.pad(PAD_RIGHT_BOTTOM, 0);
    }
}
