package io.varflow.pipeline.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvalProgressTest {

    private static final long S = 1_000_000_000L;

    @Test
    void estimatesTimeLeftFromTheRateSinceProgressBegan() {
        EvalProgress p = new EvalProgress(100, 0);
        p.observe(0, 30 * S); // model loading: no rate yet
        assertThat(p.eta()).isNull();
        assertThat(p.line()).contains("0/100 images").contains("ETA unknown");
        p.observe(10, 40 * S); // 10 images in the 10 s since the last empty look
        p.observe(20, 50 * S);
        assertThat(p.imagesPerSecond()).isEqualTo(1.0);
        assertThat(p.eta()).isEqualTo(Duration.ofSeconds(80));
        assertThat(p.line()).isEqualTo("20/100 images (20.0%), 1.0 img/s, elapsed 50s, ETA 1m 20s");
        p.observe(100, 60 * S);
        assertThat(p.complete()).isTrue();
        assertThat(p.eta()).isZero();
    }

    @Test
    void formatsDurations() {
        assertThat(EvalProgress.format(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(EvalProgress.format(Duration.ofSeconds(185))).isEqualTo("3m 05s");
        assertThat(EvalProgress.format(Duration.ofSeconds(3720))).isEqualTo("1h 02m");
    }
}
