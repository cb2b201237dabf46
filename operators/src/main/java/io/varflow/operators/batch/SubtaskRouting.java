package io.varflow.operators.batch;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Spreads every model's images evenly over the batching/sampling subtasks (one per GPU).
 *
 * <p>The batcher is keyed by a route key {@code "<model>#<n>"}. Flink maps a key to a subtask by
 * hashing it into a key group, so a handful of keys can land unevenly. Instead, for each model and
 * each subtask {@code s}, this class picks the smallest {@code n} whose key Flink assigns to exactly
 * {@code s} (using Flink's own {@link KeyGroupRangeAssignment}). Image {@code i} of a request goes
 * to subtask {@code (hash(requestId) + i) mod parallelism}: a large request is dealt round-robin
 * over all GPUs and small requests spread by id. Deterministic, so a replayed request takes the
 * same route.
 *
 * <p>The batcher's parallelism and max parallelism must be the ones given here (the job assembly
 * sets both on the keyed operator).
 */
public final class SubtaskRouting implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int parallelism;
    private final int maxParallelism;
    private transient Map<String, String[]> keysByModel;

    public SubtaskRouting(int parallelism, int maxParallelism) {
        if (parallelism < 1 || maxParallelism < parallelism) {
            throw new IllegalArgumentException("need 1 <= parallelism (" + parallelism + ") <= max parallelism ("
                    + maxParallelism + ")");
        }
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
    }

    public int parallelism() {
        return parallelism;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /** The subtask image {@code index} of {@code requestId} is batched on. */
    public int subtaskFor(String requestId, int index) {
        return Math.floorMod(requestId.hashCode() + index, parallelism);
    }

    /** The route key of image {@code index} of {@code requestId} for {@code model}. */
    public String routeKey(String model, String requestId, int index) {
        return keyFor(model, subtaskFor(requestId, index));
    }

    /** A key that Flink assigns to {@code subtask}. */
    public String keyFor(String model, int subtask) {
        if (keysByModel == null) {
            keysByModel = new HashMap<>();
        }
        return keysByModel.computeIfAbsent(model, this::keysOf)[subtask];
    }

    private String[] keysOf(String model) {
        String[] keys = new String[parallelism];
        int found = 0;
        for (int n = 0; found < parallelism; n++) {
            String candidate = model + "#" + n;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(candidate, maxParallelism, parallelism);
            if (keys[subtask] == null) {
                keys[subtask] = candidate;
                found++;
            }
        }
        return keys;
    }

    /** The model part of a route key. */
    public static String modelOf(String routeKey) {
        int hash = routeKey.lastIndexOf('#');
        return hash < 0 ? routeKey : routeKey.substring(0, hash);
    }
}
