package io.varflow.operators.edit;

import io.varflow.model.edit.EditMode;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.model.edit.EditSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * The edit carried by an {@link io.varflow.operators.batch.ImageWork}: a resolved, validated source
 * and region as plain arrays, so that it is a Flink POJO (no Kryo) and the sampler never touches
 * the object store. {@link #toSpec} rebuilds the model's {@link EditSpec}.
 *
 * @param mode the mode's wire name ({@code inpaint}, {@code outpaint}, {@code class-edit}, {@code
 *     variation})
 * @param keepScales variation: scales kept; 0 otherwise
 * @param sourceTokens every scale's token ids, concatenated (the model's scales split them); empty
 *     when the source is an image
 * @param sourceRgb the source image at the model's resolution as 8-bit RGB, interleaved, row-major;
 *     empty when the source is a token map
 * @param sourceSize side of {@code sourceRgb} in pixels (0 for a token map)
 * @param regionGrid the region's marks on the last scale's grid, row-major; empty for variations
 * @param gridSize side of {@code regionGrid}
 * @param sourceUri where the source came from ({@code s3://…} or {@code inline}), for the token
 *     map's metadata
 */
public record EditWork(
        String mode,
        int keepScales,
        int[] sourceTokens,
        byte[] sourceRgb,
        int sourceSize,
        boolean[] regionGrid,
        int gridSize,
        String sourceUri) {

    /**
     * The model's edit: a token source or an image source, a mask region or kept scales.
     *
     * @param patchNums the model's scales, from the catalog (how {@code sourceTokens} splits)
     */
    public EditSpec toSpec(int[] patchNums) {
        EditMode editMode = EditMode.parse(mode);
        EditSource source;
        if (sourceTokens.length > 0) {
            int[][] perScale = new int[patchNums.length][];
            int offset = 0;
            for (int si = 0; si < patchNums.length; si++) {
                int l = patchNums[si] * patchNums[si];
                perScale[si] = Arrays.copyOfRange(sourceTokens, offset, offset + l);
                offset += l;
            }
            source = new EditSource.Tokens(perScale);
        } else {
            int plane = sourceSize * sourceSize;
            float[] chw = new float[3 * plane];
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + i] = (sourceRgb[3 * i + c] & 0xFF) / 255f;
                }
            }
            source = new EditSource.Image(chw, sourceSize);
        }
        if (editMode == EditMode.VARIATION) {
            return EditSpec.variation(source, keepScales);
        }
        return new EditSpec(editMode, source, EditRegion.mask(regionGrid, gridSize, gridSize), 0);
    }

    /** 8-bit interleaved RGB of CHW floats in [0, 1], rounded as PNG encoding rounds. */
    static byte[] rgbOf(float[] chw, int size) {
        int plane = size * size;
        byte[] rgb = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * i + c] = (byte) io.varflow.model.io.PngImages.toByte(chw[c * plane + i]);
            }
        }
        return rgb;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EditWork e
                && mode.equals(e.mode)
                && keepScales == e.keepScales
                && Arrays.equals(sourceTokens, e.sourceTokens)
                && Arrays.equals(sourceRgb, e.sourceRgb)
                && sourceSize == e.sourceSize
                && Arrays.equals(regionGrid, e.regionGrid)
                && gridSize == e.gridSize
                && Objects.equals(sourceUri, e.sourceUri);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                mode,
                keepScales,
                Arrays.hashCode(sourceTokens),
                Arrays.hashCode(sourceRgb),
                sourceSize,
                Arrays.hashCode(regionGrid),
                gridSize,
                sourceUri);
    }

    @Override
    public String toString() {
        return "EditWork["
                + mode
                + ", source "
                + sourceUri
                + (keepScales > 0 ? ", keep " + keepScales : "")
                + "]";
    }
}
