package io.varflow.pipeline.cli;

import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditSpec;
import io.varflow.model.io.PngImages;
import java.util.List;

/** Pictures that explain an edit: its mask at image resolution and images laid out side by side. */
final class EditSheet {

    private static final int GAP = 4;
    private static final float BACKGROUND = 1f;

    private EditSheet() {}

    /**
     * The last-scale keep mask of {@code edit} blown up to the image size (nearest neighbour):
     * white where tokens are regenerated, black where the source is kept; CHW in [0, 1].
     */
    static float[] maskImage(EditSpec edit, ModelConfig config) {
        boolean[][] keep = edit.keepMasks(config);
        boolean[] last = keep[keep.length - 1];
        int p = config.finalPatch();
        int size = config.imageSize();
        int plane = size * size;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float v = last[(y * p / size) * p + x * p / size] ? 0f : 1f;
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + y * size + x] = v;
                }
            }
        }
        return chw;
    }

    /** PNG of rows of square CHW images (size x size each) separated by white gaps. */
    static byte[] sideBySide(List<List<float[]>> rows, int size) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int width = columns * size + (columns + 1) * GAP;
        int height = rows.size() * size + (rows.size() + 1) * GAP;
        int plane = width * height;
        float[] sheet = new float[3 * plane];
        java.util.Arrays.fill(sheet, BACKGROUND);
        for (int r = 0; r < rows.size(); r++) {
            List<float[]> row = rows.get(r);
            for (int col = 0; col < row.size(); col++) {
                float[] image = row.get(col);
                int top = GAP + r * (size + GAP);
                int left = GAP + col * (size + GAP);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < size; y++) {
                        System.arraycopy(
                                image,
                                (c * size + y) * size,
                                sheet,
                                c * plane + (top + y) * width + left,
                                size);
                    }
                }
            }
        }
        return PngImages.encode(sheet, height, width);
    }
}
