package io.varflow.operators.batch;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Spreads every model's images evenly over the batching/sampling subtasks (one per GPU).
 *
 * <p>The batcher is keyed by a route key {@code "<model>#<n>"}. Flink maps a key to a subtask by
 * hashing it into a key group, so a handful of keys can land unevenly. Instead, for each model and
 * each subtask {@code s}, this class picks the smallest {@code n} whose key Flink assigns to
 * exactly {@code s} (using Flink's own {@link KeyGroupRangeAssignment}). Image {@code i} of a
 * request goes to subtask {@code (hash(requestId) + i) mod parallelism}: a large request is dealt
 * round-robin over all GPUs and small requests spread by id. Deterministic, so a replayed request
 * takes the same route.
 *
 * <p>A model placed on some subtasks only ({@link ModelSpec#subtasks()}) is dealt over those the
 * same way: image {@code i} goes to the {@code (hash(requestId) + i) mod n}-th of its {@code n}
 * subtasks. No key of it ever maps to another subtask, so the sampling subtasks there never load
 * it.
 *
 * <p>The batcher's parallelism and max parallelism must be the ones given here (the job assembly
 * sets both on the keyed operator).
 */
public final class SubtaskRouting implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int parallelism;
    private final int maxParallelism;

    /** Model -> the subtasks serving it, ascending; a model not listed is served by all. */
    private final Map<String, int[]> placement;

    private transient Map<String, String[]> keysByModel;

    /** Every model on every subtask. */
    public SubtaskRouting(int parallelism, int maxParallelism) {
        this(parallelism, maxParallelism, Map.of());
    }

    /**
     * @param placement model name -> the subtasks serving it (each in [0, parallelism)); a model
     *     not listed, or listed with none, is served by all
     */
    public SubtaskRouting(
            int parallelism, int maxParallelism, Map<String, List<Integer>> placement) {
        if (parallelism < 1 || maxParallelism < parallelism) {
            throw new IllegalArgumentException(
                    "need 1 <= parallelism ("
                            + parallelism
                            + ") <= max parallelism ("
                            + maxParallelism
                            + ")");
        }
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
        this.placement = new LinkedHashMap<>();
        placement.forEach(
                (model, subtasks) -> {
                    for (int s : subtasks) {
                        if (s < 0 || s >= parallelism) {
                            throw new IllegalArgumentException(
                                    "model '"
                                            + model
                                            + "' is placed on subtask "
                                            + s
                                            + ", but the job has subtasks 0 to "
                                            + (parallelism - 1)
                                            + " (job.parallelism "
                                            + parallelism
                                            + ")");
                        }
                    }
                    if (!subtasks.isEmpty()) {
                        this.placement.put(
                                model,
                                subtasks.stream()
                                        .mapToInt(Integer::intValue)
                                        .distinct()
                                        .sorted()
                                        .toArray());
                    }
                });
    }

    /** Routing for the catalog's models on their placements ({@link ModelSpec#subtasks()}). */
    public static SubtaskRouting of(ModelCatalog catalog, int parallelism, int maxParallelism) {
        Map<String, List<Integer>> placement = new LinkedHashMap<>();
        for (ModelSpec spec : catalog.models()) {
            placement.put(spec.name(), spec.subtasks());
        }
        return new SubtaskRouting(parallelism, maxParallelism, placement);
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

    /**
     * The subtask image {@code index} of {@code requestId} for {@code model} is batched on: one
     * serving it.
     */
    public int subtaskFor(String model, String requestId, int index) {
        int[] serving = placement.get(model);
        if (serving == null) {
            return subtaskFor(requestId, index);
        }
        return serving[Math.floorMod(requestId.hashCode() + index, serving.length)];
    }

    /** The subtasks that serve {@code model}, ascending. */
    public int[] subtasksOf(String model) {
        int[] serving = placement.get(model);
        if (serving == null) {
            serving = new int[parallelism];
            for (int s = 0; s < parallelism; s++) {
                serving[s] = s;
            }
        }
        return serving.clone();
    }

    /** The route key of image {@code index} of {@code requestId} for {@code model}. */
    public String routeKey(String model, String requestId, int index) {
        return keyFor(model, subtaskFor(model, requestId, index));
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
            int subtask =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            candidate, maxParallelism, parallelism);
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
