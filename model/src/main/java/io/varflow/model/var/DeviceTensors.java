package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Copies checkpoint tensors onto the device in the run precision. The result never aliases the
 * checkpoint's (memory-mapped) bytes, so the state dict may be closed right after loading.
 */
final class DeviceTensors {

    private final StateDict stateDict;
    private final NDManager manager;
    private final DataType runType;

    /**
     * One float32 staging buffer reused for every tensor: each is cloned onto the device before the
     * next is staged. A fresh direct buffer per tensor would leave a host copy of every weight
     * resident until a garbage collection happens to free it (1.2 GB for d16, often never).
     */
    private ByteBuffer staging;

    DeviceTensors(StateDict stateDict, NDManager manager, DataType runType) {
        this.stateDict = stateDict;
        this.manager = manager;
        this.runType = runType;
    }

    NDManager manager() {
        return manager;
    }

    DataType runType() {
        return runType;
    }

    /**
     * The tensor under {@code key}, checked against {@code expectedShape}, in the run precision.
     */
    NDArray load(String key, long... expectedShape) throws CheckpointException {
        return load(key, runType, expectedShape);
    }

    /** The tensor under {@code key} converted to float32 regardless of the run precision. */
    NDArray loadFloat32(String key, long... expectedShape) throws CheckpointException {
        return load(key, DataType.FLOAT32, expectedShape);
    }

    boolean contains(String key) {
        return stateDict.contains(key);
    }

    private NDArray load(String key, DataType target, long[] expectedShape)
            throws CheckpointException {
        TensorData tensor = stateDict.get(key);
        if (!Arrays.equals(tensor.shape(), expectedShape)) {
            throw new CheckpointException(
                    stateDict.source(),
                    "tensor "
                            + key
                            + " has shape "
                            + Arrays.toString(tensor.shape())
                            + ", the config needs "
                            + Arrays.toString(expectedShape));
        }
        if (!tensor.dtype().isFloatingPoint()) {
            throw new CheckpointException(
                    stateDict.source(),
                    "tensor "
                            + key
                            + " is "
                            + tensor.dtype()
                            + ", a floating point type is needed");
        }
        ByteBuffer floats = toFloat32(tensor);
        try (NDArray host = manager.create(floats, new Shape(expectedShape), DataType.FLOAT32)) {
            return Primitives.owned(host, target);
        }
    }

    private ByteBuffer toFloat32(TensorData tensor) {
        ByteBuffer src = tensor.data();
        int n = Math.toIntExact(tensor.numel());
        if (staging == null || staging.capacity() < n * 4) {
            staging =
                    ByteBuffer.allocateDirect(Math.max(n * 4, 1 << 20))
                            .order(ByteOrder.nativeOrder());
        }
        ByteBuffer out = staging;
        out.clear();
        switch (tensor.dtype()) {
            case FLOAT32 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(src.getFloat());
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat((float) src.getDouble());
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(halfToFloat(src.getShort()));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out.putFloat(Float.intBitsToFloat((src.getShort() & 0xffff) << 16));
                }
            }
            default -> throw new IllegalStateException("not a float type: " + tensor.dtype());
        }
        out.flip();
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mant / 1024f / 16384f; // subnormal: mant * 2^-24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
