package io.varflow.pipeline.eval;

import io.varflow.operators.eval.EvalPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a plan's images exist in the store, found by listing the plan's prefix. Completion is
 * "every expected key exists"; objects under the prefix that the plan does not name are reported
 * (they are never packed).
 *
 * @param done expected images present
 * @param total expected images
 * @param missing items not yet stored, in class-major order
 * @param unexpected keys under the prefix that the plan does not name
 */
public record EvalStatus(
        int done, int total, List<EvalPlan.EvalItem> missing, Set<String> unexpected) {

    /** Lists the store under {@code plan.prefix()} and compares with the plan. */
    public static EvalStatus of(EvalPlan plan, EvalStore store) throws IOException {
        Set<String> present = new HashSet<>(store.list(plan.prefix() + "/"));
        List<EvalPlan.EvalItem> missing = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (EvalPlan.EvalItem item : plan.items()) {
            expected.add(item.key());
            if (!present.contains(item.key())) {
                missing.add(item);
            }
        }
        Set<String> unexpected = new TreeSet<>();
        for (String key : present) {
            if (!expected.contains(key) && key.endsWith(".png")) {
                unexpected.add(key);
            }
        }
        return new EvalStatus(
                plan.total() - missing.size(), plan.total(), List.copyOf(missing), unexpected);
    }

    public boolean complete() {
        return missing.isEmpty();
    }

    /** Classes with at least one missing image, ascending. */
    public List<Integer> incompleteClasses() {
        TreeSet<Integer> classes = new TreeSet<>();
        missing.forEach(item -> classes.add(item.label()));
        return List.copyOf(classes);
    }
}
