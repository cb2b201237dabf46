package io.varflow.operators.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeysTest {

    @Test
    void keysAreDeterministicAndNestedUnderTheBasePrefix() {
        assertThat(ObjectKeys.imageKey("varflow", "fid/run-1", "req-7", 3))
                .isEqualTo("varflow/fid/run-1/req-7/0003.png");
        assertThat(ObjectKeys.tokenMapKey("varflow", "", "req-7", 12))
                .isEqualTo("varflow/req-7/0012.tokens.safetensors");
        assertThat(ObjectKeys.imageKey("", null, "r", 12345)).isEqualTo("r/12345.png");
        assertThat(ObjectKeys.imageKey("b", "p", "r", 1))
                .isEqualTo(ObjectKeys.imageKey("b", "p", "r", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/b", ".hidden", "a b", ""})
    void refusesUnsafeRequestIds(String id) {
        assertThatThrownBy(() -> ObjectKeys.imageKey("base", "", id, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/../b", "/abs", "a//b", "a/"})
    void refusesUnsafePrefixes(String prefix) {
        assertThatThrownBy(() -> ObjectKeys.tokenMapKey("base", prefix, "r", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configNeverShowsTheSecret() {
        ObjectStoreConfig config =
                new ObjectStoreConfig(
                        "http://s3:9000",
                        null,
                        "AKIAEXAMPLE",
                        "s3cr3t-value",
                        "images",
                        "/varflow/");
        assertThat(config.toString()).doesNotContain("s3cr3t-value").doesNotContain("AKIAEXAMPLE");
        assertThat(config.basePrefix()).isEqualTo("varflow");
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThatThrownBy(
                        () -> new ObjectStoreConfig("http://s3", null, "a", "b", "images", "../up"))
                .hasMessageContaining("base prefix");
    }
}
