package io.varflow.pipeline.bench;

import java.util.List;
import java.util.Locale;

/** Percentiles of a list of millisecond figures, for benchmark output. */
record Distribution(int count, long p50, long p95, long p99, long max) {

    static Distribution of(List<Long> values) {
        if (values.isEmpty()) {
            return new Distribution(0, 0, 0, 0, 0);
        }
        List<Long> sorted = values.stream().sorted().toList();
        return new Distribution(
                sorted.size(),
                rank(sorted, 50),
                rank(sorted, 95),
                rank(sorted, 99),
                sorted.get(sorted.size() - 1));
    }

    /** Nearest-rank percentile. */
    private static long rank(List<Long> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** "p50 1.2 s, p95 3.4 s, p99 5.6 s, max 7.8 s (n = 3000)". */
    String format() {
        if (count == 0) {
            return "none";
        }
        return String.format(
                Locale.ROOT,
                "p50 %.1f s, p95 %.1f s, p99 %.1f s, max %.1f s (n = %d)",
                p50 / 1000.0,
                p95 / 1000.0,
                p99 / 1000.0,
                max / 1000.0,
                count);
    }
}
