package io.varflow.model.checkpoint;

/** Element types a checkpoint may store, with their width in bytes and safetensors/torch names. */
public enum TensorDType {
    FLOAT32(4, "F32", "FloatStorage"),
    FLOAT16(2, "F16", "HalfStorage"),
    BFLOAT16(2, "BF16", "BFloat16Storage"),
    FLOAT64(8, "F64", "DoubleStorage"),
    INT64(8, "I64", "LongStorage"),
    INT32(4, "I32", "IntStorage"),
    INT16(2, "I16", "ShortStorage"),
    INT8(1, "I8", "CharStorage"),
    UINT8(1, "U8", "ByteStorage"),
    BOOL(1, "BOOL", "BoolStorage");

    private final int bytes;
    private final String safetensorsName;
    private final String torchStorageName;

    TensorDType(int bytes, String safetensorsName, String torchStorageName) {
        this.bytes = bytes;
        this.safetensorsName = safetensorsName;
        this.torchStorageName = torchStorageName;
    }

    public int bytes() {
        return bytes;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public String torchStorageName() {
        return torchStorageName;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16 || this == FLOAT64;
    }
}
