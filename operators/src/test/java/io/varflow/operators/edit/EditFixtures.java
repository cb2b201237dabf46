package io.varflow.operators.edit;

import io.varflow.model.SamplingParams;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.util.List;
import java.util.Map;

/**
 * Edit sources and masks for the tiny model (64 px, scales 1, 2, 3, 4, vocabulary 64, 10 classes).
 */
public final class EditFixtures {

    private EditFixtures() {}

    /** A size x size colour gradient PNG. */
    public static byte[] gradientPng(int width, int height) {
        float[] chw = new float[3 * width * height];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                chw[y * width + x] = x / (float) width;
                chw[plane + y * width + x] = y / (float) height;
                chw[2 * plane + y * width + x] = 0.25f;
            }
        }
        return PngImages.encode(chw, height, width);
    }

    /** A mask PNG whose left half is white (marked). */
    public static byte[] leftHalfMask(int size) {
        float[] chw = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size / 2; x++) {
                    chw[(c * size + y) * size + x] = 1f;
                }
            }
        }
        return PngImages.encode(chw, size, size);
    }

    /** A black mask PNG (marks nothing). */
    public static byte[] blackMask(int size) {
        return PngImages.encode(new float[3 * size * size], size, size);
    }

    /**
     * Token maps of every tiny scale, token j of scale si = (7 * si + j) mod 64, labelled {@code
     * label}.
     */
    public static int[][] tinyTokens() {
        int[] patchNums = {1, 2, 3, 4};
        int[][] tokens = new int[patchNums.length][];
        for (int si = 0; si < patchNums.length; si++) {
            tokens[si] = new int[patchNums[si] * patchNums[si]];
            for (int j = 0; j < tokens[si].length; j++) {
                tokens[si][j] = (7 * si + j) % 64;
            }
        }
        return tokens;
    }

    public static byte[] tinyTokenMap(int label) {
        return TokenMapFile.toBytes(
                new TokenMap(
                        "tiny",
                        List.of(1, 2, 3, 4),
                        tinyTokens(),
                        label,
                        5L,
                        SamplingParams.FID,
                        Map.of()));
    }

    /** A token map of other scales than the tiny model's. */
    public static byte[] otherScalesTokenMap() {
        return TokenMapFile.toBytes(
                new TokenMap(
                        "other",
                        List.of(1, 2),
                        new int[][] {{1}, {1, 2, 3, 4}},
                        0,
                        1L,
                        SamplingParams.FID,
                        Map.of()));
    }
}
