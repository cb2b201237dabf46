package io.varflow.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;
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
                assertThat(
                                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                        key, maxParallelism, parallelism))
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
            perSubtask.merge(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(key, 128, parallelism),
                    1,
                    Integer::sum);
        }
        assertThat(perSubtask)
                .hasSize(parallelism)
                .allSatisfy((s, n) -> assertThat(n).isEqualTo(12));
    }

    @ParameterizedTest
    @CsvSource({"4"})
    void manySmallRequestsOfOneModelReachEverySubtask(int parallelism) {
        SubtaskRouting routing = new SubtaskRouting(parallelism, 128);
        Map<Integer, Integer> perSubtask = new HashMap<>();
        for (int r = 0; r < 400; r++) {
            String key = routing.routeKey("tiny", "req-" + r, 0);
            perSubtask.merge(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(key, 128, parallelism),
                    1,
                    Integer::sum);
        }
        assertThat(perSubtask)
                .hasSize(parallelism)
                .allSatisfy((s, n) -> assertThat(n).isBetween(70, 130));
    }

    @Test
    void aPlacedModelIsDealtEvenlyOverItsSubtasksAndNeverReachesAnother() {
        ModelCatalog catalog =
                ModelCatalog.of(
                        List.of(
                                ModelSpec.tiny(8).withSubtasks(List.of(1, 3)),
                                ModelSpec.bundledTiny("everywhere", 4)));
        SubtaskRouting routing = SubtaskRouting.of(catalog, 4, 128);
        Map<Integer, Integer> placed = new HashMap<>();
        Map<Integer, Integer> everywhere = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            placed.merge(subtaskOf(routing.routeKey("tiny", "big", i), 4), 1, Integer::sum);
            everywhere.merge(
                    subtaskOf(routing.routeKey("everywhere", "big", i), 4), 1, Integer::sum);
        }
        assertThat(placed).containsOnlyKeys(1, 3).allSatisfy((s, n) -> assertThat(n).isEqualTo(20));
        assertThat(everywhere)
                .containsOnlyKeys(0, 1, 2, 3)
                .allSatisfy((s, n) -> assertThat(n).isEqualTo(10));
        assertThat(routing.subtasksOf("tiny")).containsExactly(1, 3);
        assertThat(routing.subtasksOf("everywhere")).containsExactly(0, 1, 2, 3);
        for (int r = 0; r < 200; r++) {
            assertThat(subtaskOf(routing.routeKey("tiny", "req-" + r, 0), 4)).isIn(1, 3);
        }
    }

    @Test
    void aPlacementBeyondTheJobsSubtasksIsRefusedNamingIt() {
        ModelCatalog catalog =
                ModelCatalog.of(List.of(ModelSpec.tiny(8).withSubtasks(List.of(0, 2))));
        assertThatThrownBy(() -> SubtaskRouting.of(catalog, 2, 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tiny' is placed on subtask 2")
                .hasMessageContaining("0 to 1");
    }

    private static int subtaskOf(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, 128, parallelism);
    }
}
