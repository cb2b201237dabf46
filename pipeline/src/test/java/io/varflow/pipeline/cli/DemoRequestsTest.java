package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoRequestsTest {

    @Test
    void requestsAreDealtInTurnOverSeveralModelsAndNameNoneForOne() {
        List<String> two = DemoCommand.demoRequests(3, 2, List.of("tiny", "tiny-b"));
        assertThat(two).hasSize(4);
        assertThat(two.get(0)).contains("\"model\":\"tiny\"");
        assertThat(two.get(1)).contains("\"model\":\"tiny-b\"");
        assertThat(two.get(2)).contains("\"model\":\"tiny\"");
        assertThat(two.get(3)).as("the malformed one").contains("demo-bad");
        assertThat(DemoCommand.demoRequests(2, 1, List.of("tiny"))).noneMatch(m -> m.contains("\"model\""));
    }
}
