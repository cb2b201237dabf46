package io.varflow.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void nearestRankPercentiles() {
        List<Long> values = new ArrayList<>();
        for (long v = 100; v >= 1; v--) {
            values.add(v);
        }
        Distribution d = Distribution.of(values);
        assertThat(d).isEqualTo(new Distribution(100, 50, 95, 99, 100));
        assertThat(d.format()).isEqualTo("p50 0.1 s, p95 0.1 s, p99 0.1 s, max 0.1 s (n = 100)");
        assertThat(Distribution.of(List.of(7000L)).format())
                .isEqualTo("p50 7.0 s, p95 7.0 s, p99 7.0 s, max 7.0 s (n = 1)");
        assertThat(Distribution.of(List.of()).format()).isEqualTo("none");
    }
}
