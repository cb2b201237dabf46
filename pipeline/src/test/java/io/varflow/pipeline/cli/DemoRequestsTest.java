package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.pipeline.embedded.EmbeddedRun;
import java.util.List;
import java.util.Map;
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

    @Test
    void theEditInPaintsTheMiddleOfDemo1sFirstTokenMapWithItsModel() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode event =
                json.readTree(
                        "{\"requestId\":\"demo-1\",\"status\":\"succeeded\",\"model\":\"fashion\","
                                + "\"images\":[{\"index\":0,\"tokenMapUri\":\"s3://varflow/demo-1/0000.tokens.safetensors\"}]}");
        EmbeddedRun.Outcome first =
                new EmbeddedRun.Outcome(
                        null, List.of(), Map.of("demo-1", List.of(event)), Map.of(), List.of());

        List<String> edits = DemoCommand.demoEdit(first);

        assertThat(edits).hasSize(1);
        JsonNode edit = json.readTree(edits.get(0));
        assertThat(edit.path("requestId").asText()).isEqualTo("demo-edit");
        assertThat(edit.path("mode").asText()).isEqualTo("inpaint");
        assertThat(edit.path("model").asText()).isEqualTo("fashion");
        assertThat(edit.path("source").path("uri").asText())
                .isEqualTo("s3://varflow/demo-1/0000.tokens.safetensors");
        assertThat(edit.path("mask").path("boxes").toString()).isEqualTo("[[0.25,0.25,0.75,0.75]]");
        assertThat(
                        DemoCommand.demoEdit(
                                new EmbeddedRun.Outcome(
                                        null, List.of(), Map.of(), Map.of(), List.of())))
                .as("no edit without demo-1's token map")
                .isEmpty();
    }
}
