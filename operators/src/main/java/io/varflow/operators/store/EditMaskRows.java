package io.varflow.operators.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The edit's region in a token map's metadata ({@code edit_mask}): the last scale's token grid as
 * rows of {@code 0}/{@code 1} joined by {@code /}, e.g. {@code 00/01}, so that a reader (the
 * results page, Python) sees which tokens the edit regenerated or kept without the request.
 */
public final class EditMaskRows {

    private EditMaskRows() {}

    /** The rows of a row-major {@code size}×{@code size} grid. */
    public static String format(boolean[] grid, int size) {
        StringBuilder rows = new StringBuilder();
        for (int y = 0; y < size; y++) {
            rows.append(y == 0 ? "" : "/");
            for (int x = 0; x < size; x++) {
                rows.append(grid[y * size + x] ? '1' : '0');
            }
        }
        return rows.toString();
    }

    /**
     * The grid the rows describe, {@code [row][column]}.
     *
     * @throws IllegalArgumentException when the rows are not a square grid of 0 and 1
     */
    public static boolean[][] parse(String rows) {
        String[] parts = rows.split("/", -1);
        List<boolean[]> grid = new ArrayList<>();
        for (String part : parts) {
            if (part.length() != parts.length || !part.matches("[01]+")) {
                throw new IllegalArgumentException(
                        "edit_mask is not a square grid of 0 and 1 rows: " + rows);
            }
            boolean[] row = new boolean[part.length()];
            for (int x = 0; x < row.length; x++) {
                row[x] = part.charAt(x) == '1';
            }
            grid.add(row);
        }
        return grid.toArray(new boolean[0][]);
    }
}
