package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * Unit scale and zero shift vectors for running GroupNorm through torch's fused {@code layer_norm}
 * (which needs an affine of the normalized shape), one pair per group size, shared by all layers of
 * a model and created at load time.
 */
final class NormConstants {

    private final NDManager manager;
    private final DataType dtype;
    private final Map<Long, NDArray[]> bySize = new HashMap<>();

    NormConstants(NDManager manager, DataType dtype) {
        this.manager = manager;
        this.dtype = dtype;
    }

    /** {ones, zeros} of length {@code size}; created now if new (call during load only). */
    NDArray[] identityAffine(long size) {
        return bySize.computeIfAbsent(
                size,
                s ->
                        new NDArray[] {
                            manager.ones(new Shape(s), dtype), manager.zeros(new Shape(s), dtype)
                        });
    }
}
