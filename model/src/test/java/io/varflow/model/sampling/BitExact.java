package io.varflow.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bit-for-bit comparison of large arrays in linear time (AssertJ's containsExactly diffs
 * quadratically), reporting the first differing index.
 */
final class BitExact {

    private BitExact() {}

    static void assertSame(float[] actual, float[] expected, String what) {
        assertThat(actual).as("%s: length", what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                assertThat(actual[i]).as("%s: element %d", what, i).isEqualTo(expected[i]);
                assertThat(Float.floatToRawIntBits(actual[i]))
                        .as("%s: bits of element %d", what, i)
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }

    static void assertSame(long[] actual, long[] expected, String what) {
        assertThat(actual).as("%s: length", what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != expected[i]) {
                assertThat(actual[i]).as("%s: element %d", what, i).isEqualTo(expected[i]);
            }
        }
    }
}
