package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PhiScheduleTest {

    @Test
    void officialTenScalesWithFourSharedPhiBreakTiesLikeNumpy() {
        // si = 2 and 7 are exact ties in real arithmetic; float64 rounding sends them to 1 and 3.
        assertThat(MultiScaleQuantizer.phiIndices(10, 4))
                .containsExactly(0, 0, 1, 1, 1, 2, 2, 3, 3, 3);
    }

    @Test
    void tinyFourScalesWithFourSharedPhi() {
        // ticks 1/12, 13/36, 23/36, 11/12 against 0, 1/3, 2/3, 1.
        assertThat(MultiScaleQuantizer.phiIndices(4, 4)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void otherCountsUseHalfStepTicks() {
        // K = 2: ticks 1/4, 3/4; scale positions 0, .25, .5, .75, 1 -> .5 ties to the first.
        assertThat(MultiScaleQuantizer.phiIndices(5, 2)).containsExactly(0, 0, 0, 1, 1);
        assertThat(MultiScaleQuantizer.phiIndices(10, 1)).containsOnly(0);
        // 512 px model: 10 scales, K = 4, same mapping as 256 px.
        assertThat(MultiScaleQuantizer.phiIndices(10, 4)).hasSize(10);
    }

    @Test
    void matchesNumpyForOtherShapes() {
        // Expected values computed with numpy from the official tick formula.
        assertThat(MultiScaleQuantizer.phiIndices(10, 3))
                .containsExactly(0, 0, 0, 0, 1, 1, 1, 2, 2, 2);
        assertThat(MultiScaleQuantizer.phiIndices(13, 5))
                .containsExactly(0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4);
        assertThat(MultiScaleQuantizer.phiIndices(10, 6))
                .containsExactly(0, 0, 1, 1, 2, 3, 3, 4, 5, 5);
        assertThat(MultiScaleQuantizer.phiIndices(13, 8))
                .containsExactly(0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7);
        assertThat(MultiScaleQuantizer.phiIndices(4, 8)).containsExactly(0, 2, 5, 7);
    }

    @Test
    void rejectsScalesOutOfRange() {
        assertThatThrownBy(() -> MultiScaleQuantizer.phiIndex(10, 10, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
