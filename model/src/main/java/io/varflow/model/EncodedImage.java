package io.varflow.model;

/**
 * An image's multi-scale token maps and the VQVAE's reconstruction from them.
 *
 * @param tokensPerScale for every scale si, the pn*pn token ids in row-major order
 * @param reconstruction the decoded token maps, float32 CHW (3 x size x size), values in [0, 1]
 * @param size image side in pixels
 */
public record EncodedImage(int[][] tokensPerScale, float[] reconstruction, int size) {}
