package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BundledModelTest {

    @Test
    void fashionIsBundledWithItsTenClassNamesInTheDataSetsOrder() {
        BundledModel fashion = BundledModel.require(BundledModel.DEFAULT);
        assertThat(fashion.classNames()).hasSize(10);
        assertThat(fashion.classNames().get(7)).isEqualTo("sneaker");
        assertThat(fashion.config().numClasses()).isEqualTo(10);
    }

    @Test
    void labelsAreNamedTheNullClassOnePastTheNamesAndNumberedWithoutNames() {
        List<String> names = BundledModel.classNamesOf(BundledModel.DEFAULT);
        assertThat(BundledModel.labelName(names, 8)).isEqualTo("bag");
        assertThat(BundledModel.labelName(names, 10)).isEqualTo("null class");
        assertThat(BundledModel.labelName(List.of(), 10)).isEqualTo("class 10");
    }
}
