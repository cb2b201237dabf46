package io.varflow.model.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EditRegionTest {

    @Test
    void boxesRoundToTheLastScaleGridLikePython() {
        // round(0.125*16) = 2, round(0.15625*16) = round(2.5) = 2 (half to even), round(0.5*16) =
        // 8.
        boolean[] grid = EditRegion.box(0.125, 0.15625, 0.5, 0.5).grid(16);
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 16; c++) {
                assertThat(grid[r * 16 + c])
                        .as("cell %d,%d", r, c)
                        .isEqualTo(r >= 2 && r < 8 && c >= 2 && c < 8);
            }
        }
    }

    @Test
    void pixelBoxesAndMaskImagesMarkTheSameCellsAsFractionBoxes() {
        EditRegion fractions = EditRegion.box(0.25, 0.5, 0.75, 1);
        EditRegion pixels =
                EditRegion.pixelBoxes(List.<int[]>of(new int[] {64, 128, 192, 256}), 256, 256);
        boolean[] mask = new boolean[256 * 256];
        for (int y = 128; y < 256; y++) {
            for (int x = 64; x < 192; x++) {
                mask[y * 256 + x] = true;
            }
        }
        EditRegion image = EditRegion.mask(mask, 256, 256);
        assertThat(pixels.grid(16)).containsExactly(fractions.grid(16));
        assertThat(image.grid(16)).containsExactly(fractions.grid(16));
        assertThat(image.grid(4)).containsExactly(fractions.grid(4));
    }

    @Test
    void unionOfBoxes() {
        EditRegion two =
                EditRegion.boxes(
                        List.of(
                                new EditRegion.Box(0, 0, 0.5, 0.5),
                                new EditRegion.Box(0.5, 0.5, 1, 1)));
        assertThat(two.grid(2)).containsExactly(true, false, false, true);
    }

    @Test
    void badRegionsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> EditRegion.box(0.5, 0, 0.5, 1)).hasMessageContaining("empty");
        assertThatThrownBy(() -> EditRegion.box(0, 0, 1.5, 1)).hasMessageContaining("within 0..1");
        assertThatThrownBy(() -> EditRegion.Box.parse("0,0,1")).hasMessageContaining("x0,y0,x1,y1");
        assertThatThrownBy(() -> EditRegion.mask(new boolean[4], 2, 2))
                .hasMessageContaining("empty mask");
        assertThatThrownBy(
                        () ->
                                EditRegion.pixelBoxes(
                                        List.<int[]>of(new int[] {0, 0, 300, 10}), 256, 256))
                .hasMessageContaining("outside");
        assertThat(EditRegion.Box.parse(" 0.1, 0.2,0.3 ,0.4"))
                .isEqualTo(new EditRegion.Box(0.1, 0.2, 0.3, 0.4));
    }

    @Test
    void modesParseFromTheirWireNames() {
        assertThat(EditMode.parse("class-edit")).isEqualTo(EditMode.CLASS_EDIT);
        assertThat(EditMode.parse("Class_Edit")).isEqualTo(EditMode.CLASS_EDIT);
        assertThat(EditMode.parse("outpaint")).isEqualTo(EditMode.OUTPAINT);
        assertThatThrownBy(() -> EditMode.parse("recolour"))
                .hasMessageContaining("inpaint, outpaint, class-edit, variation");
    }

    @Test
    void editsCompareByValue() {
        int[][] tokens = {{1}, {2, 3, 4, 5}};
        EditSpec a =
                EditSpec.inpaint(new EditSource.Tokens(tokens), EditRegion.box(0, 0, 0.5, 0.5));
        EditSpec b =
                EditSpec.inpaint(
                        new EditSource.Tokens(new int[][] {{1}, {2, 3, 4, 5}}),
                        EditRegion.box(0, 0, 0.5, 0.5));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a)
                .isNotEqualTo(
                        EditSpec.inpaint(
                                new EditSource.Tokens(tokens), EditRegion.box(0, 0, 0.5, 0.6)));
        assertThat(new EditSource.Image(new float[12], 2))
                .isEqualTo(new EditSource.Image(new float[12], 2));
    }
}
