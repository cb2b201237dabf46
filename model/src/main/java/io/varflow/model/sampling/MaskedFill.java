package io.varflow.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * In-place {@code masked_fill_} with a device scalar, which DJL's NDArray API lacks: its {@code
 * set(mask, Number)} uploads a host number, and {@code where} allocates and writes a new (B, l, V)
 * array where only the removed entries need writing.
 */
final class MaskedFill {

    private MaskedFill() {}

    /**
     * Sets {@code target}'s entries where {@code mask} is true to {@code value} (a scalar on the
     * same device) and returns {@code target}.
     */
    static NDArray fill(NDArray target, NDArray mask, NDArray value) {
        JniUtils.booleanMaskSet((PtNDArray) target, (PtNDArray) value, (PtNDArray) mask);
        mask.close();
        return target;
    }
}
