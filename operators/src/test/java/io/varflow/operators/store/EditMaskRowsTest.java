package io.varflow.operators.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EditMaskRowsTest {

    @Test
    void rowsReadBackAsTheGrid() {
        boolean[] grid = {false, true, false, false, true, true, false, false, false};

        String rows = EditMaskRows.format(grid, 3);

        assertThat(rows).isEqualTo("010/011/000");
        assertThat(EditMaskRows.parse(rows))
                .isDeepEqualTo(
                        new boolean[][] {
                            {false, true, false}, {false, true, true}, {false, false, false}
                        });
    }

    @Test
    void somethingElseIsRefusedWithTheText() {
        assertThatThrownBy(() -> EditMaskRows.parse("01/0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("01/0");
        assertThatThrownBy(() -> EditMaskRows.parse("02/00"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
