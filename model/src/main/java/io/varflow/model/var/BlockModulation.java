package io.varflow.model.var;

import ai.djl.ndarray.NDArray;

/**
 * The AdaLN modulation of one block for one generation, each (2B, 1, C): computed once from the
 * class conditioning and reused at every scale. {@code scale1p}/{@code scale2p} already hold {@code
 * 1 + scale}.
 */
record BlockModulation(
        NDArray gamma1,
        NDArray gamma2,
        NDArray scale1p,
        NDArray scale2p,
        NDArray shift1,
        NDArray shift2) {}
