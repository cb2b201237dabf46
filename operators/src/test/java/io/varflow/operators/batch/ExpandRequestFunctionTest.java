package io.varflow.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.validate.ValidRequest;
import java.util.List;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ExpandRequestFunctionTest {

    @Test
    void expandsOneTaskPerImageWithDerivedSeedsAndRoutes() throws Exception {
        SubtaskRouting routing = new SubtaskRouting(3, 128);
        ValidRequest request =
                new ValidRequest(
                        "req-9",
                        "tiny",
                        new int[] {4, 4, 7},
                        99L,
                        new SamplingParams(2.0, 5, 0.5, true),
                        Priority.INTERACTIVE,
                        true,
                        false,
                        "p/q",
                        1234L,
                        "requests/0@5");
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new ExpandRequestFunction(routing))) {
            h.setProcessingTime(2000);
            h.processElement(request, 0);
            List<ImageWork> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ImageWork w = out.get(i);
                assertThat(w.output().index()).isEqualTo(i);
                assertThat(w.output().count()).isEqualTo(3);
                assertThat(w.draw().label()).isEqualTo(request.labels()[i]);
                assertThat(w.draw().seed()).isEqualTo(TaskSeeds.forImage(99L, i));
                assertThat(w.draw().requestSeed()).isEqualTo(99L);
                assertThat(w.schedule().priority()).isEqualTo(Priority.INTERACTIVE);
                assertThat(w.output().storeTokenMaps()).isFalse();
                assertThat(w.output().outputPrefix()).isEqualTo("p/q");
                assertThat(w.schedule().receivedAt()).isEqualTo(1234L);
                assertThat(w.schedule().enqueuedAt()).isEqualTo(2000L);
                assertThat(w.routeKey()).isEqualTo(routing.routeKey("tiny", "req-9", i));
                assertThat(w.sampling()).isEqualTo(request.sampling());
            }
            assertThat(out).extracting(ImageWork::routeKey).doesNotHaveDuplicates();
        }
    }
}
