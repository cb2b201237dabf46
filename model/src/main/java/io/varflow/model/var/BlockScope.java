package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs one step of the transformer (a block, the head) in its own {@link NDScope}: every
 * intermediate it creates is closed on return, and only its result joins the caller's scope. DJL
 * frees an array only when it or its scope is closed, so without this a scale would keep every
 * block's attention scores and FFN activations alive until the scale ends.
 */
final class BlockScope {

    private BlockScope() {}

    /** The body must return a newly created array, never one of its inputs. */
    static NDArray run(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }
}
