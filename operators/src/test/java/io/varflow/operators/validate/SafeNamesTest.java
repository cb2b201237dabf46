package io.varflow.operators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "req-1", "Run_2.final", "0123456789", "x.y-z_w"})
    void acceptsSafeRequestIds(String id) {
        assertThat(SafeNames.checkRequestId(id)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", "..", "a..b", ".a", "a/b", "a\\b", "a b", "a%2e%2e", "é", "a\u0000", "a\nb",
                "a:b", "a?b", "a*b", "~root"
            })
    void refusesUnsafeRequestIds(String id) {
        assertThat(SafeNames.checkRequestId(id)).as("'%s' must be refused", id).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "evals/run-1", "a/b/c/d/e/f/g/h", "x.y/z_1"})
    void acceptsSafePrefixes(String prefix) {
        assertThat(SafeNames.checkOutputPrefix(prefix)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "/",
                "/a",
                "a/",
                "a//b",
                "..",
                "a/../b",
                "./a",
                "a/./b",
                "a/.",
                "...",
                "a/b/c/d/e/f/g/h/i",
                "a\\b",
                "a b",
                "a%2f",
                "ä",
                "a/\u0000"
            })
    void refusesUnsafePrefixes(String prefix) {
        assertThat(SafeNames.checkOutputPrefix(prefix))
                .as("'%s' must be refused", prefix)
                .isNotNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {129, 500})
    void boundsLengths(int length) {
        assertThat(SafeNames.checkRequestId("a".repeat(length))).contains("limit is 128");
        assertThat(SafeNames.checkOutputPrefix("a".repeat(length))).contains("limit is 128");
    }
}
