package io.varflow.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubtaskRoutingTest {

    @ParameterizedTest
    @CsvSource({"1,128", "2,128", "3,128", "4,128", "8,128", "7,32768"})
    void everySubtaskHasAKeyForEveryModel(int parallelism, int maxParallelism) {
        SubtaskRouting routing = new SubtaskRouting(parallelism, maxParallelism);
        for (String model : new String[] {"tiny", "d16", "d30"}) {
            for (int s = 0; s < parallelism; s++) {
                String key = routing.keyFor(model, s);
                assertThat(SubtaskRouting.modelOf(key)).isEqualTo(model);
                assertThat(KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism))
                        .as("key %s must land on subtask %d", key, s)
                        .isEqualTo(s);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"2", "3", "4"})
    void oneLargeRequestIsDealtEvenlyOverAllSubtasks(int parallelism) {
        SubtaskRouting routing = new SubtaskRouting(parallelism, 128);
        Map<Integer, Integer> perSubtask = new HashMap<>();
        int images = 12 * parallelism;
        for (int i = 0; i < images; i++) {
            String key = routing.routeKey("tiny", "one-big-request", i);
            perSubtask.merge(KeyGroupRangeAssignment.assignKeyToParallelOperator(key, 128, parallelism), 1,
                    Integer::sum);
        }
        assertThat(perSubtask).hasSize(parallelism).allSatisfy((s, n) -> assertThat(n).isEqualTo(12));
    }

    @ParameterizedTest
    @CsvSource({"4"})
    void manySmallRequestsOfOneModelReachEverySubtask(int parallelism) {
        SubtaskRouting routing = new SubtaskRouting(parallelism, 128);
        Map<Integer, Integer> perSubtask = new HashMap<>();
        for (int r = 0; r < 400; r++) {
            String key = routing.routeKey("tiny", "req-" + r, 0);
            perSubtask.merge(KeyGroupRangeAssignment.assignKeyToParallelOperator(key, 128, parallelism), 1,
                    Integer::sum);
        }
        assertThat(perSubtask).hasSize(parallelism).allSatisfy((s, n) -> assertThat(n).isBetween(70, 130));
    }
}
