package io.varflow.operators.sample;

import java.util.HashMap;
import java.util.Map;

/**
 * How long one model call takes on this subtask, per model: an exponentially weighted mean of the
 * measured calls (the newest weighs a quarter), so it follows a change of load or batch limit
 * within a few batches. Unknown (0) until the model has run once.
 */
final class BatchTimes {

    private static final double WEIGHT = 0.25;

    private final Map<String, Double> meanMs = new HashMap<>();

    void record(String model, long ms) {
        meanMs.merge(model, (double) ms, (old, now) -> old + WEIGHT * (now - old));
    }

    /** The expected time of the next call of {@code model}, ms; 0 while none was measured. */
    long expectedMs(String model) {
        Double mean = meanMs.get(model);
        return mean == null ? 0 : Math.round(mean);
    }
}
