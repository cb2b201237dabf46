package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every block for one generation, preallocated at their final length (2B, H, L,
 * head_dim) and written in place scale by scale: no re-allocation or concatenation as the sequence
 * grows. Keys are stored l2-normalised (when the model normalises), values raw.
 */
final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;

    KvCache(
            NDManager manager,
            int depth,
            long rows,
            int heads,
            int totalTokens,
            int headDim,
            DataType type) {
        keys = new NDArray[depth];
        values = new NDArray[depth];
        Shape shape = new Shape(rows, heads, totalTokens, headDim);
        for (int i = 0; i < depth; i++) {
            // Uninitialised: every position is written before attention reads it (filling the
            // cache with zeros cost a pass over ~11 MB per block and image row).
            keys[i] = manager.create(shape, type);
            values[i] = manager.create(shape, type);
        }
    }

    /**
     * Writes this scale's keys and values (2B, H, l, hd) at tokens [start, end) of block {@code
     * block}.
     */
    void write(int block, int start, int end, NDArray k, NDArray v) {
        NDIndex slot = new NDIndex(":, :, {}:{}", start, end);
        keys[block].set(slot, k);
        values[block].set(slot, v);
    }

    /** Keys of tokens [0, end): a view, valid until the next write. */
    NDArray keys(int block, int end) {
        return keys[block].get(new NDIndex(":, :, 0:{}", end));
    }

    NDArray values(int block, int end) {
        return values[block].get(new NDIndex(":, :, 0:{}", end));
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
