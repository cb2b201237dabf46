package io.varflow.operators.sample;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch limit each model has shown this subtask's device can hold. It starts unlimited and is
 * only ever lowered, when a batch runs out of memory; the limit in force is the lower of it and the
 * limit a batch arrives with (the catalog's or the memory budget's), so it composes with either.
 * Kept in memory only: after a restart, possibly on another machine, it is learned again.
 */
final class BatchLimits {

    private static final Logger LOG = LoggerFactory.getLogger(BatchLimits.class);

    private final Map<String, Integer> learned = new HashMap<>();

    /** The limit in force for {@code model} when the batch says {@code given}. */
    int inForce(String model, int given) {
        return Math.max(1, Math.min(given, learned.getOrDefault(model, Integer.MAX_VALUE)));
    }

    /** The learned limit of {@code model}, or {@code given} while none has been learned. */
    int learnedOr(String model, int given) {
        return learned.getOrDefault(model, given);
    }

    /**
     * A batch of {@code failedSize} ran out of memory: the limit drops to half of it (at least 1),
     * unless it is already lower.
     */
    void outOfMemory(String model, int failedSize) {
        int before = learned.getOrDefault(model, Integer.MAX_VALUE);
        int after = Math.max(1, failedSize / 2);
        if (after < before) {
            learned.put(model, after);
            LOG.warn(
                    "A batch of {} {} images ran out of memory: batch limit of {} lowered to {} on this subtask",
                    failedSize,
                    model,
                    model,
                    after);
        }
    }
}
