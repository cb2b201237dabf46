package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;

/**
 * The residual refiner φ applied to each scale's up-sampled embedding: {@code (1 − r)·h +
 * r·Conv3x3(h)} with {@code r = |quant_resi|}, or the identity when {@code |quant_resi| <= 1e-6}
 * (the official builder then has no conv at all).
 */
final class Phi {

    private final Conv2dLayer conv; // null for the identity
    private final float keep;
    private final float mix;

    Phi(Conv2dLayer conv, double quantResi) {
        this.conv = conv;
        double ratio = Math.abs(quantResi);
        this.keep = (float) (1 - ratio);
        this.mix = (float) ratio;
    }

    static boolean isIdentity(double quantResi) {
        return Math.abs(quantResi) <= 1e-6;
    }

    NDArray forward(NDArray h) {
        if (conv == null) {
            return h;
        }
        return h.mul(keep).add(conv.forward(h).mul(mix));
    }
}
