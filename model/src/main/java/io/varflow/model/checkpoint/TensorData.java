package io.varflow.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint: element type, shape and its bytes, contiguous in row-major
 * order and little-endian. The buffer may be a slice of a memory-mapped file: it stays valid only
 * while the {@link StateDict} it came from is open.
 */
public record TensorData(String key, TensorDType dtype, long[] shape, ByteBuffer data) {

    public TensorData {
        shape = shape.clone();
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long expected = numel(shape) * dtype.bytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(
                    key
                            + ": "
                            + data.remaining()
                            + " bytes for shape "
                            + Arrays.toString(shape)
                            + " of "
                            + dtype
                            + " (expected "
                            + expected
                            + ")");
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A read-only little-endian view of the bytes, positioned at the first element. */
    @Override
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return key + " " + dtype + Arrays.toString(shape);
    }
}
