package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.nn.WeightLoader;

/**
 * Reads VQVAE parameters out of a {@link StateDict} onto the model's manager, checking each shape
 * against what the config implies and casting once to the requested element type.
 */
final class VaeWeights {

    private final StateDict stateDict;
    private final NDManager manager;

    VaeWeights(StateDict stateDict, NDManager manager) {
        this.stateDict = stateDict;
        this.manager = manager;
    }

    /** The tensor under {@code key}, which must have exactly {@code shape}, as {@code dtype}. */
    NDArray load(String key, DataType dtype, long... shape) throws CheckpointException {
        return WeightLoader.load(stateDict, key, manager, dtype, shape);
    }
}
