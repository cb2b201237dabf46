package io.varflow.model;

/**
 * What one task produced.
 *
 * @param task the task it answers
 * @param tokensPerScale for every scale si, the pn*pn token ids in row-major order
 * @param pixels the decoded image, float32 CHW (3 x size x size), values in [0, 1]
 * @param size image side in pixels
 */
public record GeneratedImage(ImageTask task, int[][] tokensPerScale, float[] pixels, int size) {}
