package io.varflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorDType;
import io.varflow.model.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns checkpoint tensors into DJL NDArrays on a given manager (and so on its device), converting
 * the element type. The bytes are always copied into memory the NDArray owns: a checkpoint's
 * memory-mapped buffers are read-only and are unmapped when the state dict closes. Conversions
 * between fp32 and fp16 are done by the engine (round-to-nearest-even).
 *
 * <p>bf16: DJL 0.35.1's PyTorch JNI aborts the whole JVM ({@code std::terminate}) on any bfloat16
 * NDArray, created or converted to (seen on CPU). bf16 checkpoints are therefore widened to fp32 in
 * Java (exact: bf16 is the upper half of an fp32), and a bf16 target is refused with an exception
 * instead of a crash; see {@link #isSupportedTarget(DataType)}.
 */
public final class WeightLoader {

    private WeightLoader() {}

    /** The DJL element type of a runtime precision. */
    public static DataType dataType(RuntimeOptions.Precision precision) {
        return switch (precision) {
            case FP32 -> DataType.FLOAT32;
            case FP16 -> DataType.FLOAT16;
            case BF16 -> DataType.BFLOAT16;
        };
    }

    /**
     * Whether NDArrays of this floating-point type can be created safely with DJL's PyTorch engine.
     */
    public static boolean isSupportedTarget(DataType type) {
        return type == DataType.FLOAT32
                || type == DataType.FLOAT16
                || type == DataType.FLOAT64
                || !type.isFloating();
    }

    /** The DJL element type that holds a checkpoint dtype unchanged. */
    public static DataType dataType(TensorDType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case FLOAT64 -> DataType.FLOAT64;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT16 -> DataType.INT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /**
     * Loads {@code key} from {@code stateDict}, checks its shape and converts it to {@code target}.
     *
     * @param expectedShape the shape the model needs; {@code null} skips the check
     * @throws CheckpointException naming the file and key when the key is missing or the shape
     *     differs
     */
    public static NDArray load(
            StateDict stateDict,
            String key,
            NDManager manager,
            DataType target,
            Shape expectedShape)
            throws CheckpointException {
        TensorData tensor = stateDict.get(key);
        if (expectedShape != null && !Arrays.equals(tensor.shape(), expectedShape.getShape())) {
            throw new CheckpointException(
                    stateDict.source(),
                    "key '"
                            + key
                            + "': expected shape "
                            + expectedShape
                            + " but the checkpoint has "
                            + new Shape(tensor.shape()));
        }
        return toNDArray(tensor, manager, target);
    }

    /** Loads a floating-point weight in {@code target} precision, checking its shape. */
    public static NDArray load(
            StateDict stateDict, String key, NDManager manager, DataType target, long... shape)
            throws CheckpointException {
        return load(stateDict, key, manager, target, new Shape(shape));
    }

    /**
     * A copy of {@code tensor} as an NDArray of type {@code target} on {@code manager}'s device.
     * Floating-point sources convert to any floating-point target; integer sources must keep an
     * integer target (a float weight silently read as an index buffer would be a bug).
     */
    public static NDArray toNDArray(TensorData tensor, NDManager manager, DataType target) {
        if (tensor.dtype().isFloatingPoint() != target.isFloating()) {
            throw new IllegalArgumentException(
                    tensor.key() + ": cannot convert " + tensor.dtype() + " to " + target);
        }
        if (!isSupportedTarget(target)) {
            throw new IllegalArgumentException(
                    tensor.key()
                            + ": "
                            + target
                            + " NDArrays are not supported by DJL "
                            + "0.35.1's PyTorch engine (it aborts the JVM); use fp16 or fp32");
        }
        Shape shape = new Shape(tensor.shape());
        ByteBuffer data = tensor.data();
        DataType source;
        ByteBuffer owned;
        if (tensor.dtype() == TensorDType.BFLOAT16) {
            source = DataType.FLOAT32;
            owned =
                    manager.allocateDirect(Math.max(4, data.remaining() * 2))
                            .order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                owned.putInt((data.getShort() & 0xFFFF) << 16);
            }
            owned.flip();
        } else {
            source = dataType(tensor.dtype());
            owned = manager.allocateDirect(Math.max(1, data.remaining()));
            owned.put(data).flip();
        }
        NDArray array = manager.create(owned, shape, source);
        if (source == target) {
            return array;
        }
        try (NDArray original = array) {
            return original.toType(target, false);
        }
    }
}
