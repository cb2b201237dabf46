package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskSeedsTest {

    @Test
    void imageSeedsAreAFunctionOfRequestSeedAndIndexOnly() {
        assertThat(TaskSeeds.forImage(42, 3)).isEqualTo(TaskSeeds.forImage(42, 3));
        assertThat(TaskSeeds.forImage(42, 3)).isNotEqualTo(TaskSeeds.forImage(42, 4));
        assertThat(TaskSeeds.forImage(42, 3)).isNotEqualTo(TaskSeeds.forImage(43, 3));
    }

    @Test
    void seedsOfNeighbouringRequestsAndIndicesDoNotCollide() {
        Set<Long> seen = new HashSet<>();
        for (long s = 0; s < 100; s++) {
            for (int i = 0; i < 100; i++) {
                seen.add(TaskSeeds.forImage(s, i));
            }
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void requestIdSeedIsStable() {
        assertThat(TaskSeeds.forRequestId("abc"))
                .isEqualTo(TaskSeeds.forRequestId("abc"))
                .isNotEqualTo(TaskSeeds.forRequestId("abd"));
    }
}
