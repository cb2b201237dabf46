package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

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

    boolean contains(String key) {
        return stateDict.contains(key);
    }

    /** The tensor under {@code key}, which must have exactly {@code shape}, as {@code dtype}. */
    NDArray load(String key, DataType dtype, long... shape) throws CheckpointException {
        TensorData data = stateDict.get(key);
        if (!Arrays.equals(data.shape(), shape)) {
            throw new CheckpointException(stateDict.source(), key + " has shape "
                    + Arrays.toString(data.shape()) + " but the config needs " + Arrays.toString(shape));
        }
        if (!data.dtype().isFloatingPoint()) {
            throw new CheckpointException(stateDict.source(), key + " is " + data.dtype()
                    + " but a floating-point parameter is needed");
        }
        NDArray array = toNDArray(data);
        if (array.getDataType() != dtype) {
            NDArray cast = array.toType(dtype, false);
            array.close();
            array = cast;
        }
        // Weights live as long as the model, never as long as a caller's NDScope.
        NDScope.unregister(array);
        return array;
    }

    // TODO(ckpt merge): replace with io.varflow.model.nn.WeightLoader.
    private NDArray toNDArray(TensorData data) throws CheckpointException {
        Shape shape = new Shape(data.shape());
        ByteBuffer bytes = data.data();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
        DataType type;
        switch (data.dtype()) {
            case FLOAT32 -> {
                type = DataType.FLOAT32;
                direct.asFloatBuffer().put(bytes.asFloatBuffer());
            }
            case FLOAT64 -> {
                type = DataType.FLOAT64;
                direct.asDoubleBuffer().put(bytes.asDoubleBuffer());
            }
            case FLOAT16, BFLOAT16 -> {
                type = data.dtype() == io.varflow.model.checkpoint.TensorDType.FLOAT16
                        ? DataType.FLOAT16 : DataType.BFLOAT16;
                direct.asShortBuffer().put(bytes.asShortBuffer());
            }
            default -> throw new CheckpointException(stateDict.source(),
                    data.key() + ": unsupported dtype " + data.dtype());
        }
        return manager.create(direct, shape, type);
    }
}
