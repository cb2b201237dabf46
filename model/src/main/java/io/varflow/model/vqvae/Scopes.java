package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a computation in its own {@link NDScope} so that every intermediate is closed on return, and
 * hands the results to the caller as if a single DJL operation had made them: attached to {@code
 * owner} and registered with the caller's enclosing scope, if any.
 *
 * <p>The body must return newly created arrays, never one of its inputs.
 */
final class Scopes {

    private Scopes() {}

    static NDArray run(NDManager owner, Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        return handOver(result, owner);
    }

    static List<NDArray> runAll(NDManager owner, Supplier<List<NDArray>> body) {
        List<NDArray> results;
        try (NDScope scope = new NDScope()) {
            results = body.get();
            for (NDArray result : results) {
                NDScope.unregister(result);
            }
        }
        for (NDArray result : results) {
            handOver(result, owner);
        }
        return results;
    }

    /**
     * Runs one layer's computation in a nested scope: its intermediates are closed on return, its
     * result stays with the enclosing scope. Keeps peak memory near the live activations.
     */
    static NDArray layer(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * Closes {@code old} (unless it is {@code keep}, typically the caller's input) and returns
     * {@code next}.
     */
    static NDArray advance(NDArray old, NDArray next, NDArray keep) {
        if (old != keep && old != next) {
            old.close();
        }
        return next;
    }

    /** Runs {@code body} and closes everything it created. */
    static void runVoid(Runnable body) {
        try (NDScope scope = new NDScope()) {
            body.run();
        }
    }

    private static NDArray handOver(NDArray result, NDManager owner) {
        NDScope.register(result);
        if (result.getManager() != owner) {
            result.attach(owner);
        }
        return result;
    }
}
