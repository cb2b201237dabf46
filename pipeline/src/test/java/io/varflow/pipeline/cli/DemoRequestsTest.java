package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoRequestsTest {

    @Test
    void theDefaultModelServesMostRequestsAndEveryOtherModelOneAndNoneIsNamedForOne() {
        List<String> two = DemoCommand.demoRequests(3, 2, List.of("fashion", "tiny"));
        assertThat(two).hasSize(4);
        assertThat(two.get(0)).contains("\"model\":\"fashion\"");
        assertThat(two.get(1)).contains("\"model\":\"fashion\"");
        assertThat(two.get(2)).contains("\"model\":\"tiny\"");
        assertThat(two.get(3)).as("the malformed one").contains("demo-bad");
        List<String> three = DemoCommand.demoRequests(2, 1, List.of("a", "b", "c"));
        assertThat(three.get(0)).as("fewer requests than models").contains("\"model\":\"a\"");
        assertThat(three.get(1)).contains("\"model\":\"b\"");
        assertThat(DemoCommand.demoRequests(2, 1, List.of("tiny")))
                .noneMatch(m -> m.contains("\"model\""));
    }
}
