package io.varflow.model.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The marked part of an image: a union of boxes (fractions of width and height) or a mask image.
 * What the marks mean (regenerate or keep) depends on the {@link EditMode}.
 *
 * <p>Like the official notebook, a region is reduced to the token grid of the last scale (P x P)
 * before it is resampled per scale: a box covers rows {@code round(y0·P)..round(y1·P)} and columns
 * {@code round(x0·P)..round(x1·P)} (rounding half to even, as Python); a mask image marks a cell
 * when at least half of the pixels under it (adaptive-average-pooling windows) are marked.
 */
public final class EditRegion {

    /**
     * A box in fractions of width (x) and height (y), 0 &le; x0 &lt; x1 &le; 1, 0 &le; y0 &lt; y1
     * &le; 1.
     */
    public record Box(double x0, double y0, double x1, double y1) {
        public Box {
            if (!(inUnit(x0) && inUnit(x1) && inUnit(y0) && inUnit(y1))) {
                throw new IllegalArgumentException(
                        "box "
                                + text(x0, y0, x1, y1)
                                + " must lie within 0..1 (fractions of width and height)");
            }
            if (!(x0 < x1 && y0 < y1)) {
                throw new IllegalArgumentException(
                        "box " + text(x0, y0, x1, y1) + " is empty: need x0 < x1 and y0 < y1");
            }
        }

        private static boolean inUnit(double v) {
            return v >= 0 && v <= 1;
        }

        private static String text(double x0, double y0, double x1, double y1) {
            return x0 + "," + y0 + "," + x1 + "," + y1;
        }

        /** {@code x0,y0,x1,y1}. */
        @Override
        public String toString() {
            return text(x0, y0, x1, y1);
        }

        /** Parses {@code x0,y0,x1,y1} (fractions). */
        public static Box parse(String text) {
            String[] parts = Objects.requireNonNull(text, "box").split(",");
            if (parts.length != 4) {
                throw new IllegalArgumentException(
                        "box '" + text + "' must be x0,y0,x1,y1 (fractions of width/height)");
            }
            double[] v = new double[4];
            for (int i = 0; i < 4; i++) {
                try {
                    v[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "box '" + text + "' has a non-numeric value '" + parts[i] + "'");
                }
            }
            return new Box(v[0], v[1], v[2], v[3]);
        }
    }

    private final List<Box> boxes;
    private final boolean[] mask;
    private final int maskWidth;
    private final int maskHeight;

    private EditRegion(List<Box> boxes, boolean[] mask, int maskWidth, int maskHeight) {
        this.boxes = boxes;
        this.mask = mask;
        this.maskWidth = maskWidth;
        this.maskHeight = maskHeight;
    }

    /** The union of one or more boxes. */
    public static EditRegion boxes(List<Box> boxes) {
        if (boxes == null || boxes.isEmpty()) {
            throw new IllegalArgumentException("an edit region needs at least one box");
        }
        return new EditRegion(List.copyOf(boxes), null, 0, 0);
    }

    public static EditRegion box(double x0, double y0, double x1, double y1) {
        return boxes(List.of(new Box(x0, y0, x1, y1)));
    }

    /**
     * Boxes given in pixels {@code [x0, y0, x1, y1]} (x1, y1 exclusive) of an image of the given
     * size.
     */
    public static EditRegion pixelBoxes(List<int[]> pixelBoxes, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, got " + width + "x" + height);
        }
        List<Box> boxes = new ArrayList<>();
        for (int[] b : pixelBoxes) {
            if (b == null || b.length != 4) {
                throw new IllegalArgumentException("a pixel box needs 4 values x0,y0,x1,y1");
            }
            if (b[0] < 0 || b[1] < 0 || b[2] > width || b[3] > height) {
                throw new IllegalArgumentException(
                        "pixel box "
                                + b[0]
                                + ","
                                + b[1]
                                + ","
                                + b[2]
                                + ","
                                + b[3]
                                + " lies outside the "
                                + width
                                + "x"
                                + height
                                + " image");
            }
            boxes.add(
                    new Box(
                            (double) b[0] / width,
                            (double) b[1] / height,
                            (double) b[2] / width,
                            (double) b[3] / height));
        }
        return boxes(boxes);
    }

    /**
     * A mask image, row-major, {@code true} = marked. Any size: it is pooled onto the token grid.
     *
     * @throws IllegalArgumentException when no pixel is marked
     */
    public static EditRegion mask(boolean[] marked, int width, int height) {
        Objects.requireNonNull(marked, "marked");
        if (width <= 0 || height <= 0 || marked.length != width * height) {
            throw new IllegalArgumentException(
                    "mask of "
                            + width
                            + "x"
                            + height
                            + " needs "
                            + width * height
                            + " values, got "
                            + marked.length);
        }
        boolean any = false;
        for (boolean m : marked) {
            any |= m;
        }
        if (!any) {
            throw new IllegalArgumentException("the mask image marks no pixel (empty mask)");
        }
        return new EditRegion(null, marked.clone(), width, height);
    }

    /**
     * A mask from CHW floats in [0, 1] (as {@code PngImages.decode} gives): a pixel is marked when
     * its mean over the channels is above one half (white marks, black does not).
     */
    public static EditRegion maskFromImage(float[] chw, int width, int height) {
        int plane = width * height;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException(
                    "mask image must hold 3x" + height + "x" + width + " values");
        }
        boolean[] marked = new boolean[plane];
        for (int i = 0; i < plane; i++) {
            marked[i] = (chw[i] + chw[plane + i] + chw[2 * plane + i]) / 3f > 0.5f;
        }
        return mask(marked, width, height);
    }

    /** The boxes, or an empty list for a mask image. */
    public List<Box> boxList() {
        return boxes == null ? List.of() : boxes;
    }

    public boolean isMaskImage() {
        return mask != null;
    }

    /** The marks on the P x P token grid of the last scale, row-major. */
    public boolean[] grid(int p) {
        boolean[] cells = new boolean[p * p];
        if (boxes != null) {
            for (Box b : boxes) {
                int r0 = (int) Math.rint(b.y0() * p);
                int r1 = (int) Math.rint(b.y1() * p);
                int c0 = (int) Math.rint(b.x0() * p);
                int c1 = (int) Math.rint(b.x1() * p);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        cells[r * p + c] = true;
                    }
                }
            }
            return cells;
        }
        for (int r = 0; r < p; r++) {
            int y0 = Math.floorDiv(r * maskHeight, p);
            int y1 = -Math.floorDiv(-(r + 1) * maskHeight, p);
            for (int c = 0; c < p; c++) {
                int x0 = Math.floorDiv(c * maskWidth, p);
                int x1 = -Math.floorDiv(-(c + 1) * maskWidth, p);
                int count = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        count += mask[y * maskWidth + x] ? 1 : 0;
                    }
                }
                cells[r * p + c] = 2 * count >= (y1 - y0) * (x1 - x0);
            }
        }
        return cells;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EditRegion r
                && java.util.Objects.equals(boxes, r.boxes)
                && java.util.Arrays.equals(mask, r.mask)
                && maskWidth == r.maskWidth
                && maskHeight == r.maskHeight;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                boxes, java.util.Arrays.hashCode(mask), maskWidth, maskHeight);
    }

    @Override
    public String toString() {
        return boxes != null ? "boxes " + boxes : "mask " + maskWidth + "x" + maskHeight;
    }
}
