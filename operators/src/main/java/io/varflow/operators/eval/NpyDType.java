package io.varflow.operators.eval;

/** The numpy element types an evaluation set needs, with their {@code .npy} {@code descr} strings. */
public enum NpyDType {
    UINT8("|u1", 1),
    INT32("<i4", 4),
    INT64("<i8", 8),
    FLOAT32("<f4", 4);

    private final String descr;
    private final int bytes;

    NpyDType(String descr, int bytes) {
        this.descr = descr;
        this.bytes = bytes;
    }

    /** The numpy type string, little-endian where the width needs one. */
    public String descr() {
        return descr;
    }

    public int bytes() {
        return bytes;
    }
}
