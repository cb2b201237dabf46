package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassLabelsTest {

    private static final List<String> FASHION =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    @Test
    void namesAndNumbersMix() {
        assertThat(
                        ClassLabels.resolve(
                                List.of(
                                        "sneaker",
                                        "Bag",
                                        "3",
                                        "ankle-boot",
                                        "ANKLE BOOT",
                                        "t-shirt",
                                        "top"),
                                FASHION,
                                "--classes"))
                .containsExactly(7, 8, 3, 9, 9, 0, 0);
    }

    @Test
    void selectionsKeepNumbersAndRangesAndTranslateNames() {
        assertThat(ClassLabels.numbersOnly("0-3,sneaker, bag", FASHION, "--classes"))
                .isEqualTo("0-3,7,8");
        assertThat(ClassLabels.numbersOnly("t-shirt,5", FASHION, "--classes")).isEqualTo("0,5");
        assertThat(ClassLabels.numbersOnly("all", FASHION, "--classes")).isEqualTo("all");
        assertThat(ClassLabels.numbersOnly(null, FASHION, "--classes")).isNull();
    }

    @Test
    void unknownNamesAndModelsWithoutNamesAreRefusedWithTheChoices() {
        assertThatThrownBy(() -> ClassLabels.resolve(List.of("boots"), FASHION, "--classes"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("no class named 'boots'")
                .hasMessageContaining("Ankle boot");
        assertThatThrownBy(() -> ClassLabels.resolve(List.of("sneaker"), List.of(), "--classes"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("no class names");
    }
}
