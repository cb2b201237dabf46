package io.varflow.pipeline.report;

import io.varflow.model.io.PngImages;
import java.util.Arrays;
import java.util.List;

/**
 * Pictures for people: nearest-neighbour enlargement (so a 32 px image stays crisp blocks instead
 * of a blur), absolute differences and images laid out in a row. Images are {@link
 * PngImages.Image}s, CHW in [0, 1].
 */
public final class PixelImages {

    /** Images smaller than this on their longer side are enlarged by a whole factor to reach it. */
    public static final int READABLE_SIDE = 128;

    private static final int GAP = 4;

    private PixelImages() {}

    /**
     * The whole factor that brings {@code side} pixels to at least {@link #READABLE_SIDE} (1 when
     * already there).
     */
    public static int readableFactor(int side) {
        return Math.max(1, (READABLE_SIDE + side - 1) / side);
    }

    /** {@code image} with each pixel repeated {@code factor} times in both directions. */
    public static PngImages.Image nearest(PngImages.Image image, int factor) {
        if (factor == 1) {
            return image;
        }
        int h = image.height();
        int w = image.width();
        int bigH = h * factor;
        int bigW = w * factor;
        float[] src = image.chw();
        float[] out = new float[3 * bigH * bigW];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < bigH; y++) {
                int from = (c * h + y / factor) * w;
                int to = (c * bigH + y) * bigW;
                for (int x = 0; x < bigW; x++) {
                    out[to + x] = src[from + x / factor];
                }
            }
        }
        return new PngImages.Image(out, bigH, bigW);
    }

    /** {@link #nearest} up to the readable size. */
    public static PngImages.Image readable(PngImages.Image image) {
        return nearest(image, readableFactor(Math.max(image.height(), image.width())));
    }

    /** Per-sample |a − b|: black where the images agree. */
    public static PngImages.Image difference(PngImages.Image a, PngImages.Image b) {
        if (a.height() != b.height() || a.width() != b.width()) {
            throw new IllegalArgumentException(
                    "cannot compare a "
                            + a.width()
                            + "x"
                            + a.height()
                            + " image with a "
                            + b.width()
                            + "x"
                            + b.height()
                            + " one");
        }
        float[] d = new float[a.chw().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(a.chw()[i] - b.chw()[i]);
        }
        return new PngImages.Image(d, a.height(), a.width());
    }

    /** Images of one height side by side on white, with a gap around each. */
    public static PngImages.Image row(List<PngImages.Image> images) {
        int height = images.stream().mapToInt(PngImages.Image::height).max().orElse(0) + 2 * GAP;
        int width = images.stream().mapToInt(i -> i.width() + GAP).sum() + GAP;
        int plane = height * width;
        float[] sheet = new float[3 * plane];
        Arrays.fill(sheet, 1f);
        int left = GAP;
        for (PngImages.Image image : images) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < image.height(); y++) {
                    System.arraycopy(
                            image.chw(),
                            (c * image.height() + y) * image.width(),
                            sheet,
                            c * plane + (GAP + y) * width + left,
                            image.width());
                }
            }
            left += image.width() + GAP;
        }
        return new PngImages.Image(sheet, height, width);
    }

    public static byte[] png(PngImages.Image image) {
        return PngImages.encode(image.chw(), image.height(), image.width());
    }
}
